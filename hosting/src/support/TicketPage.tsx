import { st } from './i18n.ts';
import { TicketThread } from './TicketThread.tsx';

/** /help/tickets/:id — the customer's thread, live. */
export default function TicketPage(props: { ticketId: string }) {
  return (
    <section class="page narrow" data-testid="ticket-page">
      <p>
        <a href="/help">← {st('ticket.back')}</a>
      </p>
      <TicketThread ticketId={props.ticketId} />
    </section>
  );
}
