import { selfHelpState } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { deviceStore } from '../devices/store.ts';
import { t } from '../i18n/index.ts';
import { currentUser } from '../session.ts';
import { st } from './i18n.ts';
import { TicketForm } from './TicketForm.tsx';

/**
 * /devices/:id/help — self-help first: an offline device's troubleshooting steps for its state (power,
 * Wi-Fi, reset), then the ticket form once the customer says it still does not work. An online device goes
 * straight to the form.
 */
export default function DeviceHelp(props: { deviceId: string }) {
  const store = deviceStore(currentUser.value!.uid);
  const link = store.link(props.deviceId);
  const device = store.device(props.deviceId).value;
  const wantsForm = useSignal(false);
  if (!store.loaded.value || device === undefined) return <p class="loading">{t('app.loading')}</p>;
  if (!link || device === null) {
    return (
      <section class="page narrow">
        <h1>{t('device.notFound')}</h1>
      </section>
    );
  }
  const state = selfHelpState({
    online: device.state.online,
    last_seen: device.state.lastSeen?.toISOString() ?? null,
  });
  const setup = `/setup?sn=${encodeURIComponent(device.serialNumber)}&type=${encodeURIComponent(device.type)}`;
  return (
    <section class="page narrow" data-testid="device-help">
      <p>
        <a href={`/devices/${encodeURIComponent(props.deviceId)}`}>← {link.name}</a>
      </p>
      <h1>{st('help.device', { name: link.name })}</h1>
      {state !== 'online' && (
        <div class="card" data-testid="self-help" data-state={state}>
          <h2>{st(state === 'offline' ? 'help.offline.title' : 'help.never.title')}</h2>
          <ol class="steps">
            <li>{st('help.step.power')}</li>
            <li>{st('help.step.wifi')}</li>
            <li>{st('help.step.band')}</li>
            <li>
              {st('help.step.reset')} <a href={setup}>{st('help.step.setup')}</a>
            </li>
          </ol>
          {!wantsForm.value && (
            <button type="button" data-testid="still-broken" onClick={() => (wantsForm.value = true)}>
              {st('help.stillBroken')}
            </button>
          )}
        </div>
      )}
      {state === 'online' && <p>{st('help.online')}</p>}
      {(state === 'online' || wantsForm.value) && <TicketForm deviceId={props.deviceId} />}
    </section>
  );
}
