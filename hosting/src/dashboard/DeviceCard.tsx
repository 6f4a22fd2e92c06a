import { CATALOGUE } from '@esp32cloud/protocol';
import type { Signal } from '@preact/signals';
import type { DeviceLink, DeviceRecord } from '../devices/types.ts';
import { t } from '../i18n/index.ts';
import { lastSeenText, readingText } from '../i18n/format.ts';
import { outputLabel, readingLabel, typeLabel } from './labels.ts';

/** A short line of what the device is doing: which outputs are on, or its readings. */
function summary(device: DeviceRecord): string {
  const spec = CATALOGUE[device.type];
  if (spec.readings.length) {
    return spec.readings
      .slice(0, 2)
      .map((r) => `${readingLabel(r)} ${readingText(r, device.state.readings[r.key])}`)
      .join(' · ');
  }
  const on = spec.outputs.filter((o) => o.kind === 'switch' && device.state.outputs[o.key] === true);
  if (!on.length) return t('device.allOff');
  return t('device.onList', { list: on.map(outputLabel).join(', ') });
}

/** One grid cell. Subscribes only to its own device's signal: a state change re-renders this card alone. */
export function DeviceCard(props: { link: DeviceLink; device: Signal<DeviceRecord | null | undefined> }) {
  const { link } = props;
  const device = props.device.value;
  const online = device?.state.online === true;
  return (
    <li>
      <a
        class="card device-card"
        href={`/devices/${encodeURIComponent(link.deviceId)}`}
        data-testid={`device-card-${link.deviceId}`}
        data-online={online ? 'true' : 'false'}
        data-state={device === undefined ? 'loading' : device === null ? 'missing' : 'live'}
      >
        <h3>{link.name}</h3>
        <div class="row">
          <span class={`badge ${online ? 'online' : 'offline'}`}>
            {online ? t('device.online') : t('device.offline')}
          </span>
          {device && <span class="hint">{typeLabel(device.type)}</span>}
        </div>
        {device && !online && (
          <p class="hint">
            {t('device.lastSeen')}: {lastSeenText(device.state.lastSeen)}
          </p>
        )}
        <p class="hint">
          {device ? summary(device) : device === null ? t('device.unavailable') : t('app.loading')}
        </p>
      </a>
    </li>
  );
}
