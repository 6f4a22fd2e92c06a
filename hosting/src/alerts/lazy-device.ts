import type { DeviceType } from '@esp32cloud/protocol';
import { lazyPage } from '../lazy.tsx';

// Loaders used from chunks that are lazy already (the device page, the wizard), so the shell never carries them.
export const LazyAlertRules = lazyPage<{ deviceId: string; type: DeviceType }>(() =>
  import('./AlertRules.tsx').then((m) => m.default),
);
export const LazyOfflineAlertOffer = lazyPage<{ deviceId: string }>(() =>
  import('./OfflineAlertOffer.tsx').then((m) => m.default),
);
