import type { AdminDeviceView, DeviceSummary, DeviceUser } from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import type { Firestore } from 'firebase-admin/firestore';
import {
  type DeviceConfigDoc,
  type DeviceDoc,
  type DeviceSecretDoc,
  iso,
  refs,
  type TransferDoc,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { safeDocId } from './validation.ts';

// What the operator console shows of a device: its identity and live facts, and everyone linked to it with
// their email (from Firebase Auth, which the client cannot ask about other accounts).

export function deviceSummary(device: DeviceDoc): DeviceSummary {
  return {
    device_id: device.device_id,
    serial_number: device.serial_number,
    device_type: device.device_type,
    firmware: device.state?.firmware ?? device.firmware_version,
    status: device.status,
    online: device.state?.online === true,
    last_seen: iso(device.state?.last_seen),
    owner_uid: device.owner_uid ?? null,
  };
}

/** Emails of accounts by uid (one batched Auth lookup); a deleted account maps to null. */
export async function emailsOf(auth: Auth, uids: string[]): Promise<Map<string, string | null>> {
  const emails = new Map<string, string | null>(uids.map((uid) => [uid, null]));
  for (let i = 0; i < uids.length; i += 100) {
    const found = await auth.getUsers(uids.slice(i, i + 100).map((uid) => ({ uid })));
    for (const user of found.users) emails.set(user.uid, user.email ?? null);
  }
  return emails;
}

export async function adminDeviceView(db: Firestore, auth: Auth, deviceId: string): Promise<AdminDeviceView> {
  const r = refs(db);
  const id = safeDocId(deviceId, 'device');
  const [deviceSnap, configSnap, secretSnap, transferSnap] = await db.getAll(
    r.device(id),
    r.config(id),
    r.secret(id),
    r.transfer(id),
  );
  if (!deviceSnap.exists) throw new RegistryError(404, 'not_found', `No device ${id}.`);
  const device = deviceSnap.data() as DeviceDoc;
  const links = (await r.linksOf(id).get()).docs.map((doc) => doc.data() as UserDeviceDoc);
  const emails = await emailsOf(
    auth,
    links.map((link) => link.user_id),
  );
  const rank = { owner: 0, controller: 1, viewer: 2 } as const;
  const users: DeviceUser[] = links
    .sort((a, b) => rank[a.access_level] - rank[b.access_level])
    .map((link) => ({
      uid: link.user_id,
      email: emails.get(link.user_id) ?? null,
      access_level: link.access_level,
      device_name: link.device_name,
      added_at: iso(link.added_at),
    }));
  const transfer = transferSnap.data() as TransferDoc | undefined;
  return {
    ...deviceSummary(device),
    wifi_ssid: (configSnap.data() as DeviceConfigDoc | undefined)?.wifi_ssid ?? null,
    rssi: device.state?.rssi ?? null,
    users,
    broker_registered: (secretSnap.data() as DeviceSecretDoc | undefined)?.broker_registered ?? null,
    pending_transfer: transfer ? { to_email: transfer.to_email, expires_at: iso(transfer.expires_at) } : null,
  };
}
