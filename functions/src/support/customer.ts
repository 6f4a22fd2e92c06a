import type { DeviceSummary, Ticket } from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import type { Firestore } from 'firebase-admin/firestore';
import { type DeviceDoc, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { deviceSummary } from './device-view.ts';
import { supportRefs, type TicketDoc, ticketView } from './documents.ts';
import { safeDocId } from './validation.ts';

// The console's customer page: the account, every device it is linked to (with its access level and name)
// and its tickets, newest first.

export interface CustomerView {
  uid: string;
  email: string | null;
  email_verified: boolean;
  created_at: string | null;
  devices: (DeviceSummary & { access_level: string; device_name: string })[];
  tickets: Ticket[];
}

export async function customerView(db: Firestore, auth: Auth, uid: string): Promise<CustomerView> {
  const id = safeDocId(uid, 'customer');
  const user = await auth.getUser(id).catch(() => null);
  if (!user) throw new RegistryError(404, 'not_found', `No customer ${id}.`);
  const links = (await refs(db).linksFor(id).get()).docs.map((doc) => doc.data() as UserDeviceDoc);
  const snaps = links.length ? await db.getAll(...links.map((link) => refs(db).device(link.device_id))) : [];
  const devices = snaps.flatMap((snap, i) =>
    snap.exists
      ? [
          {
            ...deviceSummary(snap.data() as DeviceDoc),
            access_level: links[i].access_level,
            device_name: links[i].device_name,
          },
        ]
      : [],
  );
  const tickets = await supportRefs(db)
    .tickets()
    .where('customer_uid', '==', id)
    .orderBy('created_at', 'desc')
    .limit(50)
    .get();
  return {
    uid: id,
    email: user.email ?? null,
    email_verified: user.emailVerified,
    created_at: user.metadata.creationTime ? new Date(user.metadata.creationTime).toISOString() : null,
    devices,
    tickets: tickets.docs.map((doc) => ticketView(doc.data() as TicketDoc)),
  };
}
