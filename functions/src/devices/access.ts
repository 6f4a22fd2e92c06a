import type { AccessLevel } from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { Caller } from '../http/auth.ts';
import { type DeviceDoc, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';

// Who may see a device: a user with a user_devices link to it, or an operator. Anyone else gets the same 404
// as for a device that does not exist, so device ids cannot be probed.

export interface DeviceAccess {
  device: DeviceDoc;
  link: UserDeviceDoc | null;
  accessLevel: AccessLevel | null;
}

const noSuchDevice = (deviceId: string) =>
  new RegistryError(404, 'not_found', `No device ${deviceId} in your account.`);

export async function loadAccess(db: Firestore, caller: Caller, deviceId: string): Promise<DeviceAccess> {
  const r = refs(db);
  // Ids that are not Firestore-safe can never exist; answer as for any unknown device.
  if (deviceId.includes('/') || deviceId.length > 200 || deviceId.startsWith('__'))
    throw noSuchDevice(deviceId);
  const [deviceSnap, linkSnap] = await db.getAll(r.device(deviceId), r.link(caller.uid, deviceId));
  const link = linkSnap.exists ? (linkSnap.data() as UserDeviceDoc) : null;
  if (!deviceSnap.exists || (!link && !caller.isOperator)) throw noSuchDevice(deviceId);
  return { device: deviceSnap.data() as DeviceDoc, link, accessLevel: link?.access_level ?? null };
}

export function requireLevel(access: DeviceAccess, levels: AccessLevel[]): void {
  if (access.accessLevel && levels.includes(access.accessLevel)) return;
  throw new RegistryError(403, 'permission_denied', `Only the device's ${levels.join(' or ')} may do this.`);
}

/**
 * Keeps user_devices.last_accessed current without a write on every read: a link is rewritten only when its
 * stored value is older than the resolution (an hour by default).
 */
export async function touchLinks(
  db: Firestore,
  links: UserDeviceDoc[],
  resolutionSeconds: number,
): Promise<void> {
  const nowMs = Date.now();
  const stale = links.filter(
    (link) =>
      !(link.last_accessed instanceof Timestamp) ||
      nowMs - link.last_accessed.toMillis() >= resolutionSeconds * 1000,
  );
  if (stale.length === 0) return;
  const r = refs(db);
  const now = Timestamp.fromMillis(nowMs);
  for (let i = 0; i < stale.length; i += 400) {
    const batch = db.batch();
    for (const link of stale.slice(i, i + 400))
      batch.update(r.link(link.user_id, link.device_id), { last_accessed: now });
    await batch.commit().catch(() => undefined); // a link removed meanwhile is no reason to fail a read
  }
  for (const link of stale) link.last_accessed = now;
}
