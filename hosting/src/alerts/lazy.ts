import { lazyPage } from '../lazy.tsx';

// The shell's only alert code: two loaders (the header bell, the /notifications page), each its own chunk.
export const LazyBell = lazyPage<{ uid: string }>(() => import('./Bell.tsx').then((m) => m.default));
export const LazyNotificationsPage = lazyPage(() => import('./NotificationsPage.tsx').then((m) => m.default));
