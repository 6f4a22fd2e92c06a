import { getApps, initializeApp } from 'firebase-admin/app';
import { FieldValue, type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOwnerNames } from '../../scripts/lib/owner-names.ts';
import { fleetDeviceId, fleetDeviceName, seedFleet } from '../e2e/fleet.ts';
import { type Stack, startStack } from '../harness/stack.ts';

// `npm run backfill-owner-names` (scripts/lib/owner-names.ts): devices claimed before the functions copied the
// owner's name onto the device get it from the owner's link, once; shared links and stale links change nothing.

describe('backfill of owner_device_name', () => {
  let stack: Stack;
  let db: Firestore;

  beforeAll(async () => {
    stack = await startStack({ firestore: true });
    const app =
      getApps().find((a) => a.name === stack.projectId) ??
      initializeApp({ projectId: stack.projectId }, stack.projectId);
    process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
    db = getFirestore(app);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("copies each owner link's name onto its device, only where the owner still owns it, and runs again safely", async () => {
    const base = { projectId: stack.projectId, firestoreHost: stack.firestoreHost!, idBase: 0xab0000 };
    // 450 legacy devices: more than two pages of links.
    await seedFleet({ ...base, uid: 'owner-a', count: 450, legacy: true });
    await seedFleet({ ...base, uid: 'owner-b', count: 3, idBase: 0xac0000 });
    const device = (i: number) => db.doc(`devices/${fleetDeviceId(0xab0000, i)}`);
    // A shared user's own name is not the owner's; a link left on a device now owned by someone else is stale.
    await db.doc(`user_devices/friend_${fleetDeviceId(0xab0000, 1)}`).set({
      user_id: 'friend',
      device_id: fleetDeviceId(0xab0000, 1),
      device_name: 'ของเพื่อน',
      access_level: 'viewer',
      added_at: Timestamp.now(),
      last_accessed: Timestamp.now(),
    });
    await device(2).update({ owner_uid: 'someone-else' });
    await db.doc(`devices/${fleetDeviceId(0xac0000, 0)}`).update({ owner_device_name: FieldValue.delete() });

    const first = await backfillOwnerNames(db);
    expect(first.links).toBe(453);
    // owner-a's 450 but the one owned by someone else, plus owner-b's one legacy device.
    expect(first.updated).toBe(450);
    expect((await device(0).get()).get('owner_device_name')).toBe(fleetDeviceName(0));
    expect((await device(1).get()).get('owner_device_name')).toBe(fleetDeviceName(1));
    expect((await device(449).get()).get('owner_device_name')).toBe(fleetDeviceName(449));
    expect((await device(2).get()).get('owner_device_name')).toBeUndefined();
    expect((await db.doc(`devices/${fleetDeviceId(0xac0000, 0)}`).get()).get('owner_device_name')).toBe(
      fleetDeviceName(0),
    );

    expect(await backfillOwnerNames(db)).toEqual({ links: 453, updated: 0 });
  }, 120_000);
});
