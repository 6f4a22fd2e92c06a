import { TICKET_STATUSES, type Ticket, type TicketStatus } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { st } from '../support/i18n.ts';
import { TicketThread } from '../support/TicketThread.tsx';
import { ot } from './i18n.ts';
import { OperatorOnly } from './OperatorOnly.tsx';

/** /operator/tickets/:id — the thread (live), the status, and the device snapshot taken when it was opened. */
export default function TicketPage(props: { ticketId: string }) {
  const ticket = useSignal<Ticket | null>(null);
  const error = useSignal<string | null>(null);
  const load = () =>
    api<{ ticket: Ticket }>('GET', `/tickets/${encodeURIComponent(props.ticketId)}`)
      .then((r) => {
        ticket.value = r.ticket;
      })
      .catch((caught) => {
        error.value = errorMessage(caught);
      });
  useEffect(() => {
    void load();
  }, [props.ticketId]);
  const setStatus = async (status: TicketStatus) => {
    try {
      ticket.value = await api<Ticket>('PATCH', `/tickets/${encodeURIComponent(props.ticketId)}`, { status });
    } catch (caught) {
      error.value = errorMessage(caught);
    }
  };
  const t = ticket.value;
  return (
    <OperatorOnly>
      <section class="page detail" data-testid="operator-ticket">
        <p>
          <a href="/operator">← {ot('console.title')}</a>
        </p>
        {error.value && <p class="error">{error.value}</p>}
        {t && (
          <div class="card">
            <p>
              <a href={`/operator/customers/${encodeURIComponent(t.customer_uid)}`}>
                {t.customer_email ?? t.customer_uid}
              </a>
              {t.device_id && (
                <>
                  {' · '}
                  {ot('ticket.device')}:{' '}
                  <a
                    href={`/operator/devices/${encodeURIComponent(t.device_id)}`}
                    data-testid="ticket-device"
                  >
                    {t.snapshot?.serial_number ?? t.device_id}
                  </a>
                </>
              )}
            </p>
            <label>
              {ot('ticket.statusLabel')}{' '}
              <select
                value={t.status}
                data-testid="ticket-status-select"
                onChange={(e) => void setStatus(e.currentTarget.value as TicketStatus)}
              >
                {TICKET_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {st(`ticket.status.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            {t.snapshot && (
              <details open data-testid="ticket-snapshot">
                <summary>{ot('ticket.snapshot')}</summary>
                <dl class="facts">
                  <dt>{ot('device.status')}</dt>
                  <dd>{t.snapshot.online ? ot('device.online') : ot('device.offline')}</dd>
                  <dt>{ot('device.lastSeen')}</dt>
                  <dd>{t.snapshot.last_seen ? new Date(t.snapshot.last_seen).toLocaleString() : '–'}</dd>
                  <dt>{ot('device.firmware')}</dt>
                  <dd>{t.snapshot.firmware}</dd>
                </dl>
                <ul>
                  {t.snapshot.recent_errors.map((e) => (
                    <li key={`${e.at}${e.message}`}>{e.message}</li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        )}
        <TicketThread ticketId={props.ticketId} operator />
      </section>
    </OperatorOnly>
  );
}
