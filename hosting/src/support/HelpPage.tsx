import type { Ticket } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { st } from './i18n.ts';
import { TicketForm } from './TicketForm.tsx';

/** /help — the customer's requests (their own only) and a general request form. */
export default function HelpPage() {
  const tickets = useSignal<Ticket[] | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    api<{ tickets: Ticket[] }>('GET', '/tickets')
      .then((r) => {
        tickets.value = r.tickets;
      })
      .catch((caught) => {
        error.value = errorMessage(caught);
      });
  }, []);
  return (
    <section class="page narrow" data-testid="help-page">
      <h1>{st('help.title')}</h1>
      <p>{st('help.intro')}</p>
      <div class="card">
        <h2>{st('help.myTickets')}</h2>
        {error.value && <p class="error">{error.value}</p>}
        {tickets.value === null && !error.value && <p class="loading">{t('app.loading')}</p>}
        {tickets.value?.length === 0 && <p>{st('help.noTickets')}</p>}
        <ul data-testid="my-tickets">
          {tickets.value?.map((ticket) => (
            <li key={ticket.ticket_id}>
              <a href={`/help/tickets/${encodeURIComponent(ticket.ticket_id)}`}>
                #{ticket.number} {ticket.subject}
              </a>{' '}
              <span class={`badge ${ticket.status}`}>{st(`ticket.status.${ticket.status}`)}</span>
            </li>
          ))}
        </ul>
      </div>
      <h2>{st('help.general')}</h2>
      <TicketForm />
    </section>
  );
}
