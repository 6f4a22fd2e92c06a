import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { language } from '../i18n/index.ts';
import type { ChartColumns } from './series.ts';

// The readings chart: uPlot (a small canvas time-series library, ~20 KB gzip) in this lazily loaded chunk
// only. Times are drawn in the browser's time zone; axis labels and numbers follow the UI language.

const COLOURS = ['#d9480f', '#1971c2', '#2f9e44', '#862e9c'];

export function ReadingsChart(props: { columns: ChartColumns; labels: Record<string, string> }) {
  const host = useRef<HTMLDivElement>(null);
  const lang = language.value;
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const numbers = new Intl.NumberFormat(lang === 'th' ? 'th-TH' : 'en-GB', { maximumFractionDigits: 1 });
    const span = (props.columns.x.at(-1) ?? 0) - (props.columns.x[0] ?? 0);
    const dates = new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB', {
      ...(span > 2 * 86_400 ? { day: 'numeric', month: 'short' } : { hour: '2-digit', minute: '2-digit' }),
    });
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 240,
        series: [
          {},
          ...props.columns.names.map((name, i) => ({
            label: props.labels[name] ?? name,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : numbers.format(v)),
          })),
        ],
        axes: [
          { values: (_u, splits) => splits.map((s) => dates.format(new Date(s * 1000))) },
          { values: (_u, splits) => splits.map((s) => numbers.format(s)) },
        ],
      },
      [props.columns.x, ...props.columns.ys] as uPlot.AlignedData,
      element,
    );
    const resize = () => chart.setSize({ width: Math.max(280, element.clientWidth), height: 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [props.columns, lang]);
  return (
    <div ref={host} class="history-chart" data-testid="history-chart" data-points={props.columns.x.length} />
  );
}
