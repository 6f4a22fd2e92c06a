import type { AdminSearchResponse, SupportMetrics, Ticket } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { st } from '../support/i18n.ts';
import { ot } from './i18n.ts';
import { OperatorOnly } from './OperatorOnly.tsx';

/** /operator — one search box, the overview figures and the queue of open requests. */
export default function Console() {
  return (
    <OperatorOnly>
      <section class="page" data-testid="operator-console">
        <h1>{ot('console.title')}</h1>
        <Search />
        <Metrics />
        <Queue />
        <p>
          <a href="/operator/audit">{ot('audit.link')}</a>
        </p>
      </section>
    </OperatorOnly>
  );
}

function Search() {
  const text = useSignal('');
  const result = useSignal<AdminSearchResponse | null>(null);
  const error = useSignal<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    error.value = null;
    try {
      result.value = await api<AdminSearchResponse>(
        'GET',
        `/admin/devices?query=${encodeURIComponent(text.value)}`,
      );
    } catch (caught) {
      error.value = errorMessage(caught);
    }
  };
  const found = result.value;
  return (
    <div class="card">
      <form class="row" onSubmit={submit}>
        <label>
          {ot('search.label')}{' '}
          <input
            required
            value={text.value}
            data-testid="operator-search"
            onInput={(e) => (text.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" data-testid="operator-search-go">
          {ot('search.go')}
        </button>
      </form>
      {error.value && <p class="error">{error.value}</p>}
      {found && (
        <div data-testid="search-results" data-matched={found.matched ?? 'none'}>
          {found.devices.length === 0 && found.tickets.length === 0 && <p>{ot('search.none')}</p>}
          {found.customer && (
            <p>
              {ot('search.customer')}:{' '}
              <a href={`/operator/customers/${encodeURIComponent(found.customer.uid)}`}>
                {found.customer.email}
              </a>
            </p>
          )}
          <ul>
            {found.devices.map((d) => (
              <li key={d.device_id}>
                <a href={`/operator/devices/${encodeURIComponent(d.device_id)}`}>{d.serial_number}</a>{' '}
                {d.device_type}{' '}
                <span class={`badge ${d.online ? 'online' : 'offline'}`}>
                  {d.online ? ot('device.online') : ot('device.offline')}
                </span>
              </li>
            ))}
          </ul>
          <TicketList tickets={found.tickets} />
        </div>
      )}
    </div>
  );
}

export function TicketList(props: { tickets: Ticket[] }) {
  return (
    <ul data-testid="ticket-list">
      {props.tickets.map((ticket) => (
        <li key={ticket.ticket_id}>
          <a href={`/operator/tickets/${encodeURIComponent(ticket.ticket_id)}`}>
            #{ticket.number} {ticket.subject}
          </a>{' '}
          <span class={`badge ${ticket.status}`}>{st(`ticket.status.${ticket.status}`)}</span>
        </li>
      ))}
    </ul>
  );
}

function Metrics() {
  const metrics = useSignal<SupportMetrics | null>(null);
  useEffect(() => {
    void api<SupportMetrics>('GET', '/admin/metrics').then((m) => {
      metrics.value = m;
    });
  }, []);
  const m = metrics.value;
  if (!m) return null;
  const minutes =
    m.median_first_response_seconds === null
      ? '–'
      : `${Math.round(m.median_first_response_seconds / 60)} min`;
  const tally = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || '–';
  return (
    <div class="card" data-testid="operator-metrics">
      <h2>{ot('metrics.title')}</h2>
      <dl class="facts">
        <dt>{ot('metrics.open')}</dt>
        <dd data-testid="metric-open">{m.open_tickets}</dd>
        <dt>{ot('metrics.waiting')}</dt>
        <dd>{m.waiting_on_customer}</dd>
        <dt>{ot('metrics.resolved')}</dt>
        <dd>{m.resolved_tickets}</dd>
        <dt>{ot('metrics.median')}</dt>
        <dd>{minutes}</dd>
        <dt>{ot('metrics.byType')}</dt>
        <dd>{tally(m.by_device_type)}</dd>
        <dt>{ot('metrics.byFirmware')}</dt>
        <dd>{tally(m.by_firmware)}</dd>
      </dl>
    </div>
  );
}

function Queue() {
  const tickets = useSignal<Ticket[] | null>(null);
  useEffect(() => {
    void api<{ tickets: Ticket[] }>('GET', '/tickets?status=open').then((r) => {
      tickets.value = r.tickets;
    });
  }, []);
  if (!tickets.value) return null;
  return (
    <div class="card" data-testid="ticket-queue">
      <h2>{ot('queue.title')}</h2>
      {tickets.value.length === 0 ? <p>{ot('queue.empty')}</p> : <TicketList tickets={tickets.value} />}
    </div>
  );
}
