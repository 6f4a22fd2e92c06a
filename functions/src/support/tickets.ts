import type { Ticket, TicketMessage, TicketStatus } from '@esp32cloud/protocol';
import { FieldValue, type Firestore, Timestamp } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { loadAccess } from '../devices/access.ts';
import type { Caller } from '../http/auth.ts';
import { tooManyRequests } from '../http/errors.ts';
import { RegistryError } from '../shared/errors.ts';
import { consume, rateLimitKey } from '../shared/rate-limits.ts';
import { recordAudit } from './audit.ts';
import { messageView, supportRefs, type TicketDoc, type TicketMessageDoc, ticketView } from './documents.ts';
import { queueSupportMail } from './mail.ts';
import { deviceSnapshot } from './snapshot.ts';
import { safeDocId } from './validation.ts';

// Tickets: a customer asks for help (about a device of theirs, or in general); customer and operators write
// in one thread; operators move it open → waiting on customer → resolved and assign it. A customer sees only
// their own tickets (API and rules); anyone else gets the same 404 as for a ticket that does not exist.
// An operator's reply emails the customer through the alert system's mailer.

const noTicket = (id: string) => new RegistryError(404, 'not_found', `No ticket ${id}.`);

export async function openTicket(
  db: Firestore,
  caller: Caller,
  input: { device_id?: string; subject?: string; description: string; language?: 'th' | 'en' },
): Promise<Ticket> {
  const allowed = await consume(db, rateLimitKey('ticket-user', caller.uid), {
    limit: config.support.ticketsPerCustomerPerHour,
    windowSeconds: 3600,
  });
  if (!allowed)
    throw tooManyRequests('You opened many tickets this hour. Please wait, or reply in an open ticket.');
  // loadAccess answers 404 for a device the caller has no link to, as every device route does.
  const device = input.device_id ? (await loadAccess(db, caller, input.device_id)).device : null;
  const snapshot = device ? await deviceSnapshot(db, device, config.support.snapshotErrors) : null;
  const s = supportRefs(db);
  const ref = s.tickets().doc();
  const doc = await db.runTransaction(async (tx) => {
    const counter = await tx.get(s.counter('tickets'));
    const number = ((counter.get('next') as number | undefined) ?? 1001) as number;
    const now = Timestamp.now();
    const ticket: TicketDoc = {
      ticket_id: ref.id,
      number,
      customer_uid: caller.uid,
      customer_email: caller.email,
      device_id: device?.device_id ?? null,
      device_type: device?.device_type ?? null,
      firmware: snapshot?.firmware ?? null,
      subject: input.subject ?? input.description.split('\n')[0].slice(0, 80),
      description: input.description,
      language: input.language ?? 'th',
      status: 'open',
      assignee_uid: null,
      snapshot,
      created_at: now,
      updated_at: now,
      first_response_at: null,
      last_message_at: now,
    };
    tx.set(s.counter('tickets'), { next: number + 1 }, { merge: true });
    tx.create(ref, ticket);
    const message: TicketMessageDoc = {
      message_id: 'm0000',
      author_uid: caller.uid,
      author_role: 'customer',
      body: input.description,
      created_at: now,
    };
    tx.create(s.messages(ref.id).doc(message.message_id), message);
    return ticket;
  });
  return ticketView(doc);
}

/** The ticket, if the caller may see it: its customer or any operator. */
export async function readTicket(db: Firestore, caller: Caller, ticketId: string): Promise<TicketDoc> {
  const id = safeDocId(ticketId, 'ticket');
  const snap = await supportRefs(db).ticket(id).get();
  const doc = snap.data() as TicketDoc | undefined;
  if (!doc || (doc.customer_uid !== caller.uid && !caller.isOperator)) throw noTicket(id);
  return doc;
}

export async function ticketWithMessages(
  db: Firestore,
  caller: Caller,
  ticketId: string,
): Promise<{ ticket: Ticket; messages: TicketMessage[] }> {
  const doc = await readTicket(db, caller, ticketId);
  const messages = await supportRefs(db).messages(doc.ticket_id).orderBy('created_at').limit(500).get();
  return {
    ticket: ticketView(doc),
    messages: messages.docs.map((m) => messageView(m.data() as TicketMessageDoc)),
  };
}

export async function listTickets(
  db: Firestore,
  caller: Caller,
  filter: { status?: TicketStatus; customer_uid?: string; device_id?: string; limit: number },
): Promise<Ticket[]> {
  let query: FirebaseFirestore.Query = supportRefs(db).tickets();
  // A customer's list is always their own, whatever the filter says.
  const customer = caller.isOperator ? filter.customer_uid : caller.uid;
  if (customer) query = query.where('customer_uid', '==', customer);
  if (filter.status) query = query.where('status', '==', filter.status);
  if (filter.device_id) query = query.where('device_id', '==', filter.device_id);
  const snap = await query.orderBy('created_at', 'desc').limit(filter.limit).get();
  return snap.docs.map((doc) => ticketView(doc.data() as TicketDoc));
}

export async function addMessage(
  db: Firestore,
  caller: Caller,
  ticketId: string,
  body: string,
): Promise<TicketMessage> {
  const current = await readTicket(db, caller, ticketId);
  const s = supportRefs(db);
  // The customer's own words are theirs even when they are an operator too.
  const role = current.customer_uid === caller.uid ? 'customer' : 'operator';
  const message = await db.runTransaction(async (tx) => {
    const snap = await tx.get(s.ticket(current.ticket_id));
    const ticket = snap.data() as TicketDoc;
    const now = Timestamp.now();
    const ref = s.messages(ticket.ticket_id).doc();
    const doc: TicketMessageDoc = {
      // Sortable ids keep the thread in order for listeners that sort by id too.
      message_id: ref.id,
      author_uid: caller.uid,
      author_role: role,
      body,
      created_at: now,
    };
    tx.create(ref, doc);
    const status: TicketStatus =
      role === 'operator' ? (ticket.status === 'resolved' ? 'resolved' : 'waiting_on_customer') : 'open';
    tx.update(s.ticket(ticket.ticket_id), {
      status,
      updated_at: now,
      last_message_at: now,
      ...(role === 'operator' && ticket.first_response_at === null ? { first_response_at: now } : {}),
      ...(role === 'operator' && ticket.assignee_uid === null ? { assignee_uid: caller.uid } : {}),
    });
    if (role === 'operator') {
      queueSupportMail(
        db,
        tx,
        { uid: ticket.customer_uid, email: ticket.customer_email, language: ticket.language },
        ticket.ticket_id,
        {
          kind: 'reply',
          link: `${config.appUrl}/help/tickets/${encodeURIComponent(ticket.ticket_id)}`,
          ticket_number: ticket.number,
          subject: ticket.subject,
          excerpt: body.slice(0, 300),
          serial_number: null,
        },
      );
    }
    return doc;
  });
  return messageView(message);
}

/** Operators change a ticket's status or assignee; the change is in the audit log too. */
export async function updateTicket(
  db: Firestore,
  caller: Caller,
  ticketId: string,
  change: { status?: TicketStatus; assignee_uid?: string | null },
): Promise<Ticket> {
  const current = await readTicket(db, caller, ticketId);
  const ref = supportRefs(db).ticket(current.ticket_id);
  await ref.update({
    ...(change.status ? { status: change.status } : {}),
    ...(change.assignee_uid !== undefined ? { assignee_uid: change.assignee_uid } : {}),
    updated_at: FieldValue.serverTimestamp(),
  });
  const updated = (await ref.get()).data() as TicketDoc;
  await recordAudit(db, {
    action: 'ticket_update',
    deviceId: current.device_id,
    ticketId: current.ticket_id,
    caller,
    reason: change.status ? `status → ${change.status}` : 'assignee changed',
    outcome: 'done',
    error: null,
    before: { status: current.status, assignee_uid: current.assignee_uid },
    after: { status: updated.status, assignee_uid: updated.assignee_uid },
  });
  return ticketView(updated);
}
