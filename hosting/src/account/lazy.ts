import { lazyPage } from '../lazy.tsx';

// The shell's only account code: the /account page and the upgrade prompt, each its own chunk.
export const LazyAccountPage = lazyPage(() => import('./AccountPage.tsx').then((m) => m.default));
export const LazyUpgradePrompt = lazyPage(() => import('./UpgradePrompt.tsx').then((m) => m.default));
