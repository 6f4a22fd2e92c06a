import {
  type AuditEntry,
  COLLECTIONS,
  type DeviceSnapshot,
  firestorePaths,
  type Ticket,
  type TicketMessage,
} from '@esp32cloud/protocol';
import type { Firestore, Timestamp } from 'firebase-admin/firestore';
import { iso } from '../shared/documents.ts';

// The support portal's documents (docs/SUPPORT.md) as stored, with Firestore timestamps so they sort, and
// their API views with ISO strings.

export type TicketDoc = Omit<
  Ticket,
  'created_at' | 'updated_at' | 'first_response_at' | 'last_message_at'
> & {
  created_at: Timestamp;
  updated_at: Timestamp;
  first_response_at: Timestamp | null;
  last_message_at: Timestamp;
};

export type TicketMessageDoc = Omit<TicketMessage, 'created_at'> & { created_at: Timestamp };

export type AuditDoc = Omit<AuditEntry, 'at'> & { at: Timestamp };

export const supportRefs = (db: Firestore) => ({
  ticket: (ticketId: string) => db.doc(firestorePaths.ticket(ticketId)),
  tickets: () => db.collection(COLLECTIONS.supportTickets),
  messages: (ticketId: string) => db.collection(firestorePaths.ticketMessages(ticketId)),
  audit: () => db.collection(COLLECTIONS.supportAudit),
  counter: (name: string) => db.doc(firestorePaths.supportCounter(name)),
  statusChanges: (deviceId: string) => db.collection(firestorePaths.statusChanges(deviceId)),
  alerts: () => db.collection(COLLECTIONS.alerts),
});

export function ticketView(doc: TicketDoc): Ticket {
  return {
    ...doc,
    created_at: iso(doc.created_at) ?? '',
    updated_at: iso(doc.updated_at) ?? '',
    first_response_at: iso(doc.first_response_at),
    last_message_at: iso(doc.last_message_at) ?? '',
  };
}

export function messageView(doc: TicketMessageDoc): TicketMessage {
  return { ...doc, created_at: iso(doc.created_at) ?? '' };
}

export function auditView(doc: AuditDoc): AuditEntry {
  return { ...doc, at: iso(doc.at) ?? '' };
}

export type { DeviceSnapshot };
