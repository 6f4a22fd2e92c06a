import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * A grid of equal-height cells that renders only the rows near the viewport (window scrolling), so a fleet
 * of 1,000 devices costs about as much as a screenful. Rows above and below are padding of the right height,
 * so the scrollbar and keyboard focus (focusing a cell scrolls it into view, which renders its neighbours)
 * behave as in a full list. Each cell says its place in the whole list (aria-posinset/aria-setsize).
 */
export function VirtualGrid(props: {
  count: number;
  rowHeight: number;
  minColumnWidth: number;
  gap: number;
  testId?: string;
  label?: string;
  renderItem: (index: number) => ComponentChildren;
}) {
  const { count, rowHeight, minColumnWidth, gap } = props;
  const ref = useRef<HTMLUListElement>(null);
  /** Rows rendered beyond the viewport on each side: scrolling fast never shows an empty gap. */
  const overscan = 3;
  const [view, setView] = useState({ columns: 1, firstRow: 0, lastRow: 8 });

  useLayoutEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      const list = ref.current;
      if (!list) return;
      const rect = list.getBoundingClientRect();
      const columns = Math.max(1, Math.floor((rect.width + gap) / (minColumnWidth + gap)));
      const step = rowHeight + gap;
      const firstRow = Math.max(0, Math.floor(-rect.top / step) - overscan);
      const lastRow = Math.ceil((window.innerHeight - rect.top) / step) + overscan;
      setView((old) =>
        old.columns === columns && old.firstRow === firstRow && old.lastRow === lastRow
          ? old
          : { columns, firstRow, lastRow },
      );
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
    };
  }, [count, rowHeight, minColumnWidth, gap]);

  const rows = Math.ceil(count / view.columns);
  const firstRow = Math.min(view.firstRow, Math.max(0, rows - 1));
  const lastRow = Math.min(rows - 1, view.lastRow);
  const step = rowHeight + gap;
  const items: ComponentChildren[] = [];
  for (let i = firstRow * view.columns; i < Math.min(count, (lastRow + 1) * view.columns); i++) {
    items.push(props.renderItem(i));
  }
  return (
    <ul
      ref={ref}
      class="grid virtual"
      data-testid={props.testId}
      aria-label={props.label}
      style={{
        gridTemplateColumns: `repeat(${view.columns}, minmax(0, 1fr))`,
        gridAutoRows: `${rowHeight}px`,
        paddingTop: `${firstRow * step}px`,
        paddingBottom: `${Math.max(0, rows - 1 - lastRow) * step}px`,
      }}
    >
      {items}
    </ul>
  );
}
