import { firestorePaths } from '@esp32cloud/protocol';
import { effect, type Signal, signal } from '@preact/signals';
import { doc, onSnapshot, type Unsubscribe } from 'firebase/firestore';
import { firestore } from '../firestore.ts';
import { shownSnapshotAt } from '../pwa/connectivity.ts';
import { loadSnapshot, removeSnapshots, snapshotWriter } from '../pwa/snapshot.ts';
import { currentUser } from '../session.ts';
import { decodeDevice, decodeLink } from './decode.ts';
import { ownedDevicesQuery, userLinksQuery } from './queries.ts';
import type { DeviceLink, DeviceRecord } from './types.ts';

/**
 * The signed-in user's devices, live. Listeners: one on the user's `user_devices` links, one query on every
 * device the user owns (a fleet of 1,000 is one listener), and one document listener per device shared with
 * the user by someone else. Every device has its own signal, so an update re-renders that device's card only;
 * the grid re-renders only when the set of links changes. Kept while the user stays signed in, so moving
 * between the grid and a detail view never re-subscribes.
 *
 * Opened offline, the store starts from the account's last snapshot (../pwa/snapshot.ts) and says so in
 * `staleSince` until Firestore answers from the server.
 */
export interface DeviceStore {
  uid: string;
  links: Signal<DeviceLink[]>;
  /** The first links snapshot (or the offline snapshot) has arrived. */
  loaded: Signal<boolean>;
  /** A Firestore error code (e.g. permission-denied, unavailable) while listening. */
  error: Signal<string | null>;
  /** When the shown states were saved, while they come from the offline snapshot; null when live. */
  staleSince: Signal<Date | null>;
  /** undefined while loading, null when missing or not readable. */
  device(deviceId: string): Signal<DeviceRecord | null | undefined>;
  link(deviceId: string): DeviceLink | undefined;
  dispose(): void;
}

function byName(a: DeviceLink, b: DeviceLink): number {
  return a.name.localeCompare(b.name, 'th') || a.deviceId.localeCompare(b.deviceId);
}

function createDeviceStore(uid: string): DeviceStore {
  const db = firestore();
  const links = signal<DeviceLink[]>([]);
  const loaded = signal(false);
  const error = signal<string | null>(null);
  const staleSince = signal<Date | null>(null);
  const devices = new Map<string, Signal<DeviceRecord | null | undefined>>();
  /** Document listeners of devices shared with the user (owned ones come from the owned query). */
  const shared = new Map<string, Unsubscribe>();
  const ownedIds = new Set<string>();

  const deviceSignal = (deviceId: string) => {
    let entry = devices.get(deviceId);
    if (!entry) {
      entry = signal<DeviceRecord | null | undefined>(undefined);
      devices.set(deviceId, entry);
    }
    return entry;
  };

  const writer = snapshotWriter(uid, () => ({
    links: links.value,
    devices: links.value
      .map((link) => devices.get(link.deviceId)?.value)
      .filter((d): d is DeviceRecord => Boolean(d)),
  }));
  const onHide = () => {
    if (!staleSince.value) writer.flush();
  };
  window.addEventListener('pagehide', onHide);

  const saved = loadSnapshot(uid);
  if (saved) {
    links.value = saved.links;
    for (const device of saved.devices) deviceSignal(device.deviceId).value = device;
    staleSince.value = saved.savedAt;
    shownSnapshotAt.value = saved.savedAt;
    loaded.value = true;
  }
  /** While showing the saved snapshot, answers from Firestore's own (empty, offline) cache are not news. */
  const ignore = (fromCache: boolean) => fromCache && staleSince.value !== null;

  const listenShared = (deviceId: string) => {
    if (shared.has(deviceId)) return;
    const target = deviceSignal(deviceId);
    shared.set(
      deviceId,
      onSnapshot(
        doc(db, firestorePaths.device(deviceId)),
        { includeMetadataChanges: false },
        (snapshot) => {
          if (ignore(snapshot.metadata.fromCache)) return;
          target.value = snapshot.exists() ? decodeDevice(deviceId, snapshot.data()) : null;
          writer.schedule();
        },
        () => {
          // No longer readable (unlinked a moment ago, or rules refused): show it as missing.
          target.value = null;
        },
      ),
    );
  };

  const stopOwned = onSnapshot(
    ownedDevicesQuery(db, uid),
    (snapshot) => {
      if (ignore(snapshot.metadata.fromCache)) return;
      for (const change of snapshot.docChanges()) {
        const deviceId = change.doc.id;
        if (change.type === 'removed') {
          ownedIds.delete(deviceId);
          // Released or handed over: a link that still names it (now shared) is followed on its own.
          if (links.value.some((l) => l.deviceId === deviceId)) listenShared(deviceId);
          continue;
        }
        ownedIds.add(deviceId);
        shared.get(deviceId)?.();
        shared.delete(deviceId);
        deviceSignal(deviceId).value = decodeDevice(deviceId, change.doc.data());
      }
      writer.schedule();
    },
    (failure) => {
      error.value = (failure as { code?: string }).code ?? 'unknown';
    },
  );

  const stopLinks = onSnapshot(
    userLinksQuery(db, uid),
    (snapshot) => {
      if (ignore(snapshot.metadata.fromCache)) return;
      const next: DeviceLink[] = [];
      for (const change of snapshot.docs) {
        const link = decodeLink(change.data());
        if (link) next.push(link);
      }
      next.sort(byName);
      const keep = new Set(next.map((l) => l.deviceId));
      for (const [deviceId, stop] of shared) {
        if (!keep.has(deviceId)) {
          stop();
          shared.delete(deviceId);
        }
      }
      for (const deviceId of devices.keys()) {
        if (!keep.has(deviceId) && !ownedIds.has(deviceId)) devices.delete(deviceId);
      }
      for (const link of next) {
        if (link.access !== 'owner' && !ownedIds.has(link.deviceId)) listenShared(link.deviceId);
      }
      links.value = next;
      loaded.value = true;
      error.value = null;
      staleSince.value = null;
      shownSnapshotAt.value = null;
      writer.schedule();
    },
    (failure) => {
      error.value = (failure as { code?: string }).code ?? 'unknown';
      loaded.value = true;
    },
  );

  return {
    uid,
    links,
    loaded,
    error,
    staleSince,
    // Which listener feeds a device is decided by its link (above); asking for it only reads its signal.
    device: deviceSignal,
    link: (deviceId) => links.value.find((l) => l.deviceId === deviceId),
    dispose: () => {
      writer.cancel();
      shownSnapshotAt.value = null;
      window.removeEventListener('pagehide', onHide);
      stopLinks();
      stopOwned();
      for (const stop of shared.values()) stop();
      shared.clear();
      devices.clear();
    },
  };
}

let active: DeviceStore | null = null;

/** The store of the signed-in user (created on first use). */
export function deviceStore(uid: string): DeviceStore {
  if (active?.uid === uid) return active;
  active?.dispose();
  // Another account on this phone: its saved dashboard must not linger beside this one's.
  removeSnapshots(uid);
  active = createDeviceStore(uid);
  return active;
}

// Signing out (or switching user) drops the listeners, so nothing of one account lingers for the next.
effect(() => {
  const uid = currentUser.value?.uid;
  if (active && active.uid !== uid) {
    active.dispose();
    active = null;
  }
});
