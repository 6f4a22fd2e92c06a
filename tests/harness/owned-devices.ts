import { type Firestore, Timestamp } from 'firebase-admin/firestore';

// Devices an account already owns, written with the Admin SDK in the shapes claiming leaves (devices/{id} with
// owner_uid and registered_at, the owner's user_devices link), for suites that need an account at or over a
// plan's device limit without claiming hundreds of units one by one. Claimed one minute apart from
// `claimedFrom`, offline.

let seeded = 0;

export async function seedOwnedDevices(
  db: Firestore,
  uid: string,
  count: number,
  options: { type?: string; claimedFrom?: number; prefix?: string } = {},
): Promise<string[]> {
  const claimedFrom = options.claimedFrom ?? Date.now() - 86_400_000;
  const ids: string[] = [];
  for (let start = 0; start < count; start += 400) {
    const batch = db.batch();
    for (let i = start; i < Math.min(count, start + 400); i++) {
      seeded += 1;
      const id = `ESP32_${options.prefix ?? 'SEED'}_${process.pid}_${seeded}`;
      ids.push(id);
      const at = Timestamp.fromMillis(claimedFrom + i * 60_000);
      batch.set(db.doc(`devices/${id}`), {
        device_id: id,
        serial_number: `ESP32${String(seeded).padStart(8, '0')}S`,
        device_type: options.type ?? 'Sensor',
        firmware_version: '1.0.0',
        status: 'active',
        owner_uid: uid,
        registered_at: at,
        created_at: at,
        state: { online: false, last_seen: null, outputs: {}, readings: {} },
        desired: null,
      });
      batch.set(db.doc(`user_devices/${uid}_${id}`), {
        user_id: uid,
        device_id: id,
        device_name: `ห้อง ${i + 1}`,
        access_level: 'owner',
        added_at: at,
        last_accessed: at,
      });
    }
    await batch.commit();
  }
  return ids;
}
