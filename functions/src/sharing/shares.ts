import type { AccessLevel, DeviceShare, ShareLevel } from '@esp32cloud/protocol';
import type { Auth, UserRecord } from 'firebase-admin/auth';
import { type Firestore, Timestamp, type Transaction } from 'firebase-admin/firestore';
import type { Caller } from '../http/auth.ts';
import { requireShareSeat } from '../plans/enforce.ts';
import { type DeviceDoc, iso, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { findRecipient } from './recipients.ts';

// Device sharing (docs/REGISTRY.md): the owner grants a controller or viewer link to another account, changes
// its level or removes it. Links are written only here and by claiming, so access levels stay server-side.
// Every write re-checks inside its transaction that the caller still owns the device, so a share cannot
// outlive a release that raced it.

const noSuchDevice = (deviceId: string) =>
  new RegistryError(404, 'not_found', `No device ${deviceId} in your account.`);
const ownerOnly = () =>
  new RegistryError(403, 'permission_denied', "Only the device's owner can see or change who has access.");

/** Fails unless `caller` owns the device now: no access → 404 (ids cannot be probed), other levels → 403. */
export async function requireOwner(
  tx: Transaction,
  db: Firestore,
  caller: Caller,
  deviceId: string,
): Promise<{ device: DeviceDoc; link: UserDeviceDoc }> {
  if (deviceId.includes('/') || deviceId.length > 200 || deviceId.startsWith('__'))
    throw noSuchDevice(deviceId);
  const r = refs(db);
  const [deviceSnap, linkSnap] = await tx.getAll(r.device(deviceId), r.link(caller.uid, deviceId));
  if (!deviceSnap.exists || !linkSnap.exists) throw noSuchDevice(deviceId);
  const device = deviceSnap.data() as DeviceDoc;
  const link = linkSnap.data() as UserDeviceDoc;
  if (link.access_level !== 'owner' || device.owner_uid !== caller.uid) throw ownerOnly();
  return { device, link };
}

const LEVEL_ORDER: Record<AccessLevel, number> = { owner: 0, controller: 1, viewer: 2 };

export async function listShares(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  deviceId: string,
): Promise<DeviceShare[]> {
  const links = await db.runTransaction(async (tx) => {
    await requireOwner(tx, db, caller, deviceId);
    const snaps = await tx.get(refs(db).linksOf(deviceId));
    return snaps.docs.map((doc) => doc.data() as UserDeviceDoc);
  });
  const users = new Map<string, UserRecord>();
  for (let i = 0; i < links.length; i += 100) {
    const found = await auth.getUsers(links.slice(i, i + 100).map((link) => ({ uid: link.user_id })));
    for (const user of found.users) users.set(user.uid, user);
  }
  return links
    .sort(
      (a, b) =>
        LEVEL_ORDER[a.access_level] - LEVEL_ORDER[b.access_level] ||
        a.added_at.toMillis() - b.added_at.toMillis() ||
        a.user_id.localeCompare(b.user_id),
    )
    .map((link) => {
      const user = users.get(link.user_id);
      return {
        user_id: link.user_id,
        email: user?.email ?? null,
        ...(user?.displayName ? { display_name: user.displayName } : {}),
        access_level: link.access_level,
        added_at: iso(link.added_at),
      };
    });
}

export interface GrantResult {
  user_id: string;
  email: string;
  access_level: ShareLevel;
  /** false when an existing link only changed level. */
  created: boolean;
}

export async function grantShare(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  deviceId: string,
  email: string,
  level: ShareLevel,
): Promise<GrantResult> {
  // Ownership first, so a non-owner learns nothing about which emails have accounts.
  await db.runTransaction((tx) => requireOwner(tx, db, caller, deviceId));
  const target = await findRecipient(
    db,
    auth,
    caller,
    email,
    'You already own this device; share it with someone else.',
  );
  const r = refs(db);
  const created = await db.runTransaction(async (tx) => {
    const targetRef = r.link(target.uid, deviceId);
    const targetSnap = await tx.get(targetRef);
    const { link: ownerLink } = await requireOwner(tx, db, caller, deviceId);
    const now = Timestamp.now();
    if (targetSnap.exists) {
      if ((targetSnap.data() as UserDeviceDoc).access_level === 'owner') throw ownerLinkStays();
      tx.update(targetRef, { access_level: level });
      return false;
    }
    // The owner's plan caps the people a device is shared with; changing a level is always allowed.
    const shared = (await tx.get(r.linksOf(deviceId))).docs.filter(
      (doc) => (doc.data() as UserDeviceDoc).access_level !== 'owner',
    ).length;
    await requireShareSeat(db, caller.uid, shared);
    const link: UserDeviceDoc = {
      user_id: target.uid,
      device_id: deviceId,
      device_name: ownerLink.device_name,
      access_level: level,
      added_at: now,
      last_accessed: now,
    };
    tx.create(targetRef, link);
    return true;
  });
  return { user_id: target.uid, email: target.email ?? email, access_level: level, created };
}

export async function removeShare(
  db: Firestore,
  caller: Caller,
  deviceId: string,
  uid: string,
): Promise<void> {
  const r = refs(db);
  await db.runTransaction(async (tx) => {
    // Ownership first, so a stranger gets the same 404 whatever uid they name.
    await requireOwner(tx, db, caller, deviceId);
    if (uid === caller.uid) throw ownerLinkStays();
    if (uid.includes('/') || uid.length > 128 || uid.length === 0) throw noShare(uid);
    const targetRef = r.link(uid, deviceId);
    const targetSnap = await tx.get(targetRef);
    if (!targetSnap.exists) throw noShare(uid);
    if ((targetSnap.data() as UserDeviceDoc).access_level === 'owner') throw ownerLinkStays();
    tx.delete(targetRef);
  });
}

const noShare = (uid: string) =>
  new RegistryError(404, 'not_found', `User ${uid} has no access to this device.`);
const ownerLinkStays = () =>
  new RegistryError(
    400,
    'invalid_argument',
    "The owner's own access cannot be changed or removed here; release the device instead.",
  );
