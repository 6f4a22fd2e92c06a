import { lazyPage } from '../lazy.tsx';

// The shell's only integrations code: the loader of the /integrations page, its own chunk.
export const LazyIntegrationsPage = lazyPage(() => import('./IntegrationsPage.tsx').then((m) => m.default));
