import type { AdminDeviceView } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { Actions } from './Actions.tsx';
import { ot } from './i18n.ts';
import { LiveTail } from './LiveTail.tsx';
import { OperatorOnly } from './OperatorOnly.tsx';
import { Timeline } from './Timeline.tsx';

/** /operator/devices/:id — the device's facts and users, the actions, the live log tail and the timeline. */
export default function DevicePage(props: { deviceId: string }) {
  return (
    <OperatorOnly>
      <DeviceView deviceId={props.deviceId} />
    </OperatorOnly>
  );
}

function DeviceView(props: { deviceId: string }) {
  const view = useSignal<AdminDeviceView | null>(null);
  const error = useSignal<string | null>(null);
  const refresh = useSignal(0);
  useEffect(() => {
    api<AdminDeviceView>('GET', `/admin/devices/${encodeURIComponent(props.deviceId)}`)
      .then((v) => {
        view.value = v;
      })
      .catch((caught) => {
        error.value = errorMessage(caught);
      });
  }, [props.deviceId, refresh.value]);
  const d = view.value;
  if (error.value) return <p class="error">{error.value}</p>;
  if (!d) return <p class="loading">{t('app.loading')}</p>;
  return (
    <section class="page detail" data-testid="operator-device">
      <p>
        <a href="/operator">← {ot('console.title')}</a> ·{' '}
        <a href={`/operator/audit?deviceId=${encodeURIComponent(d.device_id)}`}>{ot('audit.title')}</a>
      </p>
      <h1>
        {d.serial_number} <small>{d.device_type}</small>
      </h1>
      <div class="card">
        <h2>{ot('device.facts')}</h2>
        <dl class="facts">
          <dt>{ot('device.status')}</dt>
          <dd>
            <span class={`badge ${d.online ? 'online' : 'offline'}`} data-testid="operator-online">
              {d.online ? ot('device.online') : ot('device.offline')}
            </span>{' '}
            {d.status}
          </dd>
          <dt>{ot('device.firmware')}</dt>
          <dd>{d.firmware}</dd>
          <dt>{ot('device.ssid')}</dt>
          <dd>{d.wifi_ssid ?? '–'}</dd>
          <dt>{ot('device.lastSeen')}</dt>
          <dd>{d.last_seen ? new Date(d.last_seen).toLocaleString() : '–'}</dd>
          <dt>{ot('device.signal')}</dt>
          <dd>{d.rssi === null ? '–' : `${d.rssi} dBm`}</dd>
          <dt>{ot('device.broker')}</dt>
          <dd>{d.broker_registered === null ? '–' : String(d.broker_registered)}</dd>
          <dt>{ot('device.users')}</dt>
          <dd>
            <ul data-testid="operator-users">
              {d.users.map((u) => (
                <li key={u.uid}>
                  <a href={`/operator/customers/${encodeURIComponent(u.uid)}`}>{u.email ?? u.uid}</a> (
                  {u.access_level}, {u.device_name})
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </div>
      <Actions deviceId={d.device_id} serial={d.serial_number} onDone={() => refresh.value++} />
      <LiveTail deviceId={d.device_id} />
      <Timeline deviceId={d.device_id} refresh={refresh.value} />
    </section>
  );
}
