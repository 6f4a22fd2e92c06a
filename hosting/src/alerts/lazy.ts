import { h, type VNode } from 'preact';
import { lazyPage } from '../lazy.tsx';

// The shell's only alert code: two loaders (the header bell, the /notifications page), each its own chunk.
export const LazyBell = lazyPage<{ uid: string }>(
  () => import('./Bell.tsx').then((m) => m.default),
  bellPlaceholder,
);
export const LazyNotificationsPage = lazyPage(() => import('./NotificationsPage.tsx').then((m) => m.default));

/** The bell's own size, unseen, while its chunk loads: the header keeps its layout when the bell arrives. */
function bellPlaceholder(): VNode {
  const props: Record<string, unknown> = {
    class: 'bell',
    'aria-hidden': 'true',
    style: { visibility: 'hidden' },
  };
  return h('span', props, '🔔');
}
