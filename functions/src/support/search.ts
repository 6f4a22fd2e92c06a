import {
  type AdminSearchResponse,
  COLLECTIONS,
  normalizeSerial,
  type SearchMatch,
} from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import { FieldPath, type Firestore } from 'firebase-admin/firestore';
import { type DeviceDoc, refs, type SerialDoc, type UserDeviceDoc } from '../shared/documents.ts';
import { deviceSummary } from './device-view.ts';
import { supportRefs, type TicketDoc, ticketView } from './documents.ts';

// The operator console's one search box: a ticket number (#1042), a customer's email, a device id, a full
// serial or the start of one. Each is one or two indexed reads, so the search stays as fast with 10,000 devices
// as with ten (bench: functions/bench/support.ts).

export async function searchDevices(
  db: Firestore,
  auth: Auth,
  raw: string,
  limit: number,
): Promise<AdminSearchResponse> {
  const query = raw.trim();
  const reply = (
    matched: SearchMatch | null,
    devices: DeviceDoc[],
    extra: Partial<AdminSearchResponse> = {},
  ) => ({
    query,
    matched,
    devices: devices.map(deviceSummary),
    customer: null,
    tickets: [],
    ...extra,
  });

  const ticketNumber = /^#?\s*(\d{1,9})$/.exec(query);
  if (ticketNumber) {
    const snap = await supportRefs(db)
      .tickets()
      .where('number', '==', Number(ticketNumber[1]))
      .limit(1)
      .get();
    if (!snap.empty) {
      const ticket = ticketView(snap.docs[0].data() as TicketDoc);
      const devices = ticket.device_id ? await devicesById(db, [ticket.device_id]) : [];
      return reply('ticket', devices, { tickets: [ticket] });
    }
  }

  if (query.includes('@')) {
    const user = await auth.getUserByEmail(query).catch(() => null);
    if (!user) return reply(null, []);
    const links = await refs(db).linksFor(user.uid).get();
    const devices = await devicesById(
      db,
      links.docs.map((doc) => (doc.data() as UserDeviceDoc).device_id),
    );
    const tickets = await supportRefs(db)
      .tickets()
      .where('customer_uid', '==', user.uid)
      .orderBy('created_at', 'desc')
      .limit(20)
      .get();
    return reply('email', devices, {
      customer: { uid: user.uid, email: user.email ?? null },
      tickets: tickets.docs.map((doc) => ticketView(doc.data() as TicketDoc)),
    });
  }

  if (!query.includes('/') && !query.startsWith('__')) {
    const byId = await devicesById(db, [query, query.toUpperCase()]);
    if (byId.length > 0) return reply('device_id', byId);
  }

  const serial = normalizeSerial(query);
  if (serial.length >= 3 && !serial.includes('/')) {
    const exact = await refs(db).serial(serial).get();
    if (exact.exists) {
      return reply('serial', await devicesById(db, [(exact.data() as SerialDoc).device_id]));
    }
    const prefix = await db
      .collection(COLLECTIONS.serials)
      .where(FieldPath.documentId(), '>=', serial)
      .where(FieldPath.documentId(), '<', `${serial}\uf8ff`)
      .limit(limit)
      .get();
    const ids = prefix.docs.map((doc) => (doc.data() as SerialDoc).device_id).filter(Boolean);
    if (ids.length > 0) return reply('serial_prefix', await devicesById(db, ids));
  }
  return reply(null, []);
}

async function devicesById(db: Firestore, ids: string[]): Promise<DeviceDoc[]> {
  const unique = [...new Set(ids)].filter((id) => id && !id.includes('/') && !id.startsWith('__'));
  if (unique.length === 0) return [];
  const snaps = await db.getAll(...unique.map((id) => refs(db).device(id)));
  return snaps.filter((snap) => snap.exists).map((snap) => snap.data() as DeviceDoc);
}
