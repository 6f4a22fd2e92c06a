import type { TicketMessage } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { st } from './i18n.ts';
import { watchTicket } from './thread.ts';

/**
 * One ticket's thread, live for both sides: the customer's page (/help/tickets/:id) and the operator console
 * (`operator` set: the other side's messages are the customer's).
 */
export function TicketThread(props: { ticketId: string; operator?: boolean }) {
  const live = useMemo(() => watchTicket(props.ticketId), [props.ticketId]);
  useEffect(() => () => live.stop(), [live]);
  const draft = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const ticket = live.ticket.value;
  if (ticket === undefined) return <p class="loading">{t('app.loading')}</p>;
  if (ticket === null) return <p data-testid="ticket-missing">{st('ticket.notFound')}</p>;
  const mine = (m: TicketMessage) =>
    props.operator ? m.author_role === 'operator' : m.author_role === 'customer';
  const send = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      await api('POST', `/tickets/${encodeURIComponent(ticket.ticket_id)}/messages`, { body: draft.value });
      draft.value = '';
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      busy.value = false;
    }
  };
  return (
    <div class="card" data-testid="ticket-thread">
      <h2>
        {st('ticket.title', { n: ticket.number })}: {ticket.subject}
      </h2>
      <p>
        <span class={`badge ${ticket.status}`} data-testid="ticket-status">
          {st(`ticket.status.${ticket.status}`)}
        </span>
      </p>
      <ol class="stack" data-testid="ticket-messages">
        {live.messages.value.map((m) => (
          <li key={m.message_id} data-role={m.author_role}>
            <strong>
              {mine(m)
                ? st('ticket.you')
                : m.author_role === 'operator'
                  ? st('ticket.support')
                  : ticket.customer_email}
            </strong>{' '}
            <small>{new Date(m.created_at).toLocaleString()}</small>
            <p style="white-space: pre-wrap">{m.body}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={send} class="stack">
        <label>
          {st('ticket.reply')}
          <textarea
            required
            rows={3}
            maxLength={4000}
            value={draft.value}
            data-testid="ticket-reply"
            onInput={(e) => (draft.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy.value} data-testid="ticket-send">
          {st('ticket.send')}
        </button>
        {error.value && <p class="error">{error.value}</p>}
      </form>
    </div>
  );
}
