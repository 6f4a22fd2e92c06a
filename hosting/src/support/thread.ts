import type { Ticket, TicketMessage } from '@esp32cloud/protocol';
import { type Signal, signal } from '@preact/signals';
import { collection, doc, onSnapshot, orderBy, query, type Timestamp } from 'firebase/firestore';
import { firestore } from '../firestore.ts';

// A ticket and its thread, live from Firestore (the rules let the customer and operators read them), shared
// by the customer's page and the operator console. Writes go through the API.

export interface LiveTicket {
  ticket: Signal<Ticket | null | undefined>;
  messages: Signal<TicketMessage[]>;
  stop(): void;
}

const isoOf = (value: unknown) => (value as Timestamp | null)?.toDate?.().toISOString() ?? '';

export function watchTicket(ticketId: string): LiveTicket {
  const ticket = signal<Ticket | null | undefined>(undefined);
  const messages = signal<TicketMessage[]>([]);
  const db = firestore();
  const stopTicket = onSnapshot(
    doc(db, 'support_tickets', ticketId),
    (snap) => {
      const data = snap.data();
      ticket.value = data
        ? ({
            ...data,
            created_at: isoOf(data.created_at),
            updated_at: isoOf(data.updated_at),
            last_message_at: isoOf(data.last_message_at),
            first_response_at: data.first_response_at ? isoOf(data.first_response_at) : null,
          } as Ticket)
        : null;
    },
    () => {
      ticket.value = null;
    },
  );
  const stopMessages = onSnapshot(
    query(collection(db, 'support_tickets', ticketId, 'messages'), orderBy('created_at')),
    (snap) => {
      messages.value = snap.docs.map(
        (d) => ({ ...d.data(), created_at: isoOf(d.get('created_at')) }) as TicketMessage,
      );
    },
    () => undefined,
  );
  return {
    ticket,
    messages,
    stop() {
      stopTicket();
      stopMessages();
    },
  };
}
