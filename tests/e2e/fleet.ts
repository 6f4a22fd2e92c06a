import { deleteApp, initializeApp } from 'firebase-admin/app';
import { FieldValue, type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Page } from 'playwright-core';

// A big account without a factory run: devices and owner links written straight into the Firestore emulator
// with the Admin SDK, in the shapes of docs/DATA_MODEL.md (as the registry would leave them). Types rotate
// Sensor, 4Relay, LED; every fourth is offline; rooms rotate through ROOMS (the first device of each ten has
// none). Used by the big-fleet suite and the web benchmark.

export const ROOMS = ['ห้องนั่งเล่น', 'ห้องครัว', 'Office 2F', 'ห้องนอน 🛏️'];

export function fleetDeviceId(idBase: number, i: number): string {
  return `ESP32_${(idBase + i).toString(16).toUpperCase()}`;
}

/** The owner's name of the fleet's i-th device. */
export function fleetDeviceName(i: number): string {
  return `ห้อง ${i + 1}`;
}

/** Runs `work` with a firebase-admin Firestore on the emulator, in an app of its own (deleted after). */
async function withAdminDb<T>(
  options: { projectId: string; firestoreHost: string },
  name: string,
  work: (db: Firestore) => Promise<T>,
): Promise<T> {
  process.env.FIRESTORE_EMULATOR_HOST = options.firestoreHost;
  const app = initializeApp({ projectId: options.projectId }, `${name}-${Date.now()}`);
  try {
    return await work(getFirestore(app));
  } finally {
    await deleteApp(app);
  }
}

export async function seedFleet(options: {
  projectId: string;
  firestoreHost: string;
  uid: string;
  count: number;
  idBase: number;
  /** Leaves out `owner_device_name`, as on devices claimed before the field existed (names from links only). */
  legacy?: boolean;
}): Promise<void> {
  await withAdminDb(options, `fleet-${options.idBase}`, async (db) => {
    const now = Timestamp.now();
    // A fleet this size is a Business account (docs/BILLING.md); on Free most of it would be read-only.
    await db.doc(`users/${options.uid}`).set({ plan: 'business' }, { merge: true });
    for (let start = 0; start < options.count; start += 200) {
      const batch = db.batch();
      for (let i = start; i < Math.min(options.count, start + 200); i += 1) {
        const deviceId = fleetDeviceId(options.idBase, i);
        const type = i % 3 === 0 ? 'Sensor' : i % 3 === 1 ? '4Relay' : 'LED';
        batch.set(db.doc(`devices/${deviceId}`), {
          device_id: deviceId,
          serial_number: `ESP32${String(i).padStart(8, '0')}A`,
          device_type: type,
          firmware_version: '1.0.0',
          status: 'active',
          owner_uid: options.uid,
          created_at: now,
          room: i % 10 === 0 ? null : ROOMS[i % ROOMS.length],
          ...(options.legacy ? {} : { owner_device_name: fleetDeviceName(i) }),
          state: {
            online: i % 4 !== 0,
            last_seen: Timestamp.fromMillis(now.toMillis() - i * 60_000),
            outputs:
              type === '4Relay'
                ? { relay1: true, relay2: false, relay3: false, relay4: true }
                : type === 'LED'
                  ? { power: true, brightness: 80, color: '#ffaa00' }
                  : {},
            readings: type === 'Sensor' ? { temperature: 27.5, humidity: 60, pressure: 1009 } : {},
          },
          desired: { outputs: {} },
        });
        batch.set(db.doc(`user_devices/${options.uid}_${deviceId}`), {
          user_id: options.uid,
          device_id: deviceId,
          device_name: fleetDeviceName(i),
          access_level: 'owner',
          added_at: now,
          last_accessed: now,
        });
      }
      await batch.commit();
    }
  });
}

/**
 * Renames a fleet device as `PATCH /api/users/{uid}/devices/{id}` does: the owner's link and the device's copy
 * (`owner_device_name`) in one batch; `legacy` instead removes the copy, as on a device claimed before it.
 */
export async function renameFleetDevice(options: {
  projectId: string;
  firestoreHost: string;
  uid: string;
  deviceId: string;
  name: string;
  legacy?: boolean;
}): Promise<void> {
  await withAdminDb(options, `rename-${options.deviceId}`, async (db) => {
    const batch = db.batch();
    batch.update(db.doc(`user_devices/${options.uid}_${options.deviceId}`), { device_name: options.name });
    batch.update(db.doc(`devices/${options.deviceId}`), {
      owner_device_name: options.legacy ? FieldValue.delete() : options.name,
    });
    await batch.commit();
  });
}

/**
 * Resolves when the dashboard shows `count` devices in all and every card it has drawn (the windowed grid
 * draws those near the viewport) shows its live document. `firstScreen` does not wait for the rest of the
 * list: reopened, the dashboard starts from its saved snapshot and turns the first screen live before the
 * whole fleet has arrived (hosting/src/devices/store.ts). Resolves with the page's clock (performance.now) at
 * the frame where it saw that, so a busy main thread afterwards does not count.
 */
export async function liveDashboard(
  page: Page,
  count: number,
  options: { timeout?: number; firstScreen?: boolean } = {},
): Promise<number> {
  const seen = await page.waitForFunction(
    ({ n, firstScreen }) => {
      const cards = [...document.querySelectorAll('[data-testid^="device-card-"]')];
      const first = document.querySelector('[data-testid="device-grid"] > li');
      const source = document.querySelector('[data-testid="dashboard"]')?.getAttribute('data-source');
      const live =
        cards.length > 0 &&
        first?.getAttribute('aria-setsize') === String(n) &&
        cards.every((card) => card.getAttribute('data-state') === 'live') &&
        (firstScreen || source === 'live');
      return live && performance.now();
    },
    { n: count, firstScreen: options.firstScreen === true },
    { polling: 'raf', timeout: options.timeout ?? 60_000 },
  );
  return (await seen.jsonValue()) as number;
}
