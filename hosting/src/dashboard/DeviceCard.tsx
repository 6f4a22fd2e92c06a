import { CATALOGUE } from '@esp32cloud/protocol';
import type { Signal } from '@preact/signals';
import { canControl } from '../devices/permissions.ts';
import type { DeviceLink, DeviceRecord } from '../devices/types.ts';
import { lastSeenText, readingText } from '../i18n/format.ts';
import { t } from '../i18n/index.ts';
import { fromSavedSnapshot } from '../pwa/snapshot.ts';
import { navigate } from '../router.ts';
import { outputLabel, readingLabel, typeLabel } from './labels.ts';
import { QuickControls } from './QuickControls.tsx';

/** A short line of what the device is doing: which outputs are on, or its readings. */
function summary(device: DeviceRecord): string {
  const spec = CATALOGUE[device.type];
  if (spec.readings.length) {
    return spec.readings
      .slice(0, 3)
      .map((r) => `${readingLabel(r)} ${readingText(r, device.state.readings[r.key])}`)
      .join(' · ');
  }
  const on = spec.outputs.filter((o) => o.kind === 'switch' && device.state.outputs[o.key] === true);
  if (!on.length) return t('device.allOff');
  return t('device.onList', { list: on.map(outputLabel).join(', ') });
}

/**
 * One grid cell: the device's name and status (a link to its page) and, for whoever may control it, the main
 * control of its type. Subscribes only to its own device's signal: a state change re-renders this card alone.
 * A long press (the context menu) opens the device as well.
 */
export function DeviceCard(props: {
  link: DeviceLink;
  device: Signal<DeviceRecord | null | undefined>;
  position: number;
  total: number;
  /** The page is offline: whatever it shows may be stale. */
  offline: boolean;
}) {
  const { link } = props;
  const device = props.device.value;
  // The states come from the saved snapshot, not yet from Firestore.
  const saved = device ? fromSavedSnapshot(device) : false;
  const stale = saved || props.offline;
  const online = device?.state.online === true;
  const href = `/devices/${encodeURIComponent(link.deviceId)}`;
  const controllable = device && canControl(link.access) && CATALOGUE[device.type].outputs.length > 0;
  return (
    <li
      class="card device-card"
      aria-posinset={props.position}
      aria-setsize={props.total}
      data-stale={stale ? 'true' : 'false'}
      onContextMenu={(e) => {
        if ((e.target as Element).closest('button, input')) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      <a
        class="card-head"
        href={href}
        data-testid={`device-card-${link.deviceId}`}
        data-online={online ? 'true' : 'false'}
        data-state={device === undefined ? 'loading' : device === null ? 'missing' : saved ? 'saved' : 'live'}
      >
        <h3>{link.name}</h3>
        <span class="row">
          <span class={`badge ${online ? 'online' : 'offline'}`}>
            {online ? t('device.online') : t('device.offline')}
          </span>
          {stale && <span class="badge pending">{t('device.stale')}</span>}
          {device && <span class="hint">{typeLabel(device.type)}</span>}
          {device?.room && (
            <span class="hint room" data-testid={`device-room-${link.deviceId}`}>
              {device.room}
            </span>
          )}
        </span>
        {device && !online && (
          <span class="hint">
            {t('device.lastSeen')}: {lastSeenText(device.state.lastSeen)}
          </span>
        )}
      </a>
      {controllable ? (
        <QuickControls device={device} name={link.name} />
      ) : (
        <p class="hint">
          {device ? summary(device) : device === null ? t('device.unavailable') : t('app.loading')}
        </p>
      )}
    </li>
  );
}
