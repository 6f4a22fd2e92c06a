import type { DeviceType } from '@esp32cloud/protocol';
import { useState } from 'preact/hooks';
import { lazyPage } from '../lazy.tsx';
import type { LiveState } from './History.tsx';
import { ht } from './i18n.ts';

// The device page's door to History: a button; the History chunk (with the chart library) loads only when
// it is pressed, or when the page is opened with ?view=history.

const LazyHistory = lazyPage<{ deviceId: string; type: DeviceType; live: LiveState }>(() =>
  import('./History.tsx').then((m) => m.default),
);

export function HistoryEntry(props: { deviceId: string; type: DeviceType; live: LiveState }) {
  const [open, setOpen] = useState(() => new URLSearchParams(location.search).get('view') === 'history');
  if (open) return <LazyHistory {...props} />;
  return (
    <section class="card">
      <button type="button" class="secondary" data-testid="history-open" onClick={() => setOpen(true)}>
        {ht('history.open')}
      </button>
    </section>
  );
}
