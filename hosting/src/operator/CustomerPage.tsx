import type { DeviceSummary, Ticket } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { TicketList } from './Console.tsx';
import { ot } from './i18n.ts';
import { OperatorOnly } from './OperatorOnly.tsx';

interface CustomerView {
  uid: string;
  email: string | null;
  devices: (DeviceSummary & { access_level: string; device_name: string })[];
  tickets: Ticket[];
}

/** /operator/customers/:uid — the account's devices (with their level and name) and its requests. */
export default function CustomerPage(props: { uid: string }) {
  const view = useSignal<CustomerView | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    api<CustomerView>('GET', `/admin/customers/${encodeURIComponent(props.uid)}`)
      .then((v) => {
        view.value = v;
      })
      .catch((caught) => {
        error.value = errorMessage(caught);
      });
  }, [props.uid]);
  const c = view.value;
  return (
    <OperatorOnly>
      <section class="page" data-testid="operator-customer">
        <p>
          <a href="/operator">← {ot('console.title')}</a>
        </p>
        {error.value && <p class="error">{error.value}</p>}
        {!c && !error.value && <p class="loading">{t('app.loading')}</p>}
        {c && (
          <>
            <h1>{ot('customer.title', { email: c.email ?? c.uid })}</h1>
            <div class="card">
              <h2>{ot('customer.devices')}</h2>
              <ul>
                {c.devices.map((d) => (
                  <li key={d.device_id}>
                    <a href={`/operator/devices/${encodeURIComponent(d.device_id)}`}>{d.device_name}</a>{' '}
                    {d.serial_number} ({d.access_level}){' '}
                    <span class={`badge ${d.online ? 'online' : 'offline'}`}>
                      {d.online ? ot('device.online') : ot('device.offline')}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
            <div class="card">
              <h2>{ot('customer.tickets')}</h2>
              <TicketList tickets={c.tickets} />
            </div>
          </>
        )}
      </section>
    </OperatorOnly>
  );
}
