import { firestorePaths } from '@esp32cloud/protocol';
import { batch, effect, type Signal, signal } from '@preact/signals';
import {
  type DocumentChange,
  type DocumentData,
  doc,
  onSnapshot,
  type QueryDocumentSnapshot,
  type Unsubscribe,
} from 'firebase/firestore';
import { firestore } from '../firestore.ts';
import { compareNames } from '../lib/collate.ts';
import { shownSnapshotAt } from '../pwa/connectivity.ts';
import { loadSnapshot, removeSnapshots, snapshotWriter } from '../pwa/snapshot.ts';
import { currentUser } from '../session.ts';
import { decodeDevice, decodeLink } from './decode.ts';
import {
  FIRST_SCREEN_DEVICES,
  ownedDevicesByIdQuery,
  ownedDevicesQuery,
  ownerLinksQuery,
  sharedLinksQuery,
} from './queries.ts';
import type { DeviceLink, DeviceRecord } from './types.ts';

/**
 * The signed-in user's devices, live. Listeners: one query on every device the user owns (a fleet of 1,000 is
 * one listener; each device carries its owner's name, `owner_device_name`), one on the links of devices shared
 * with the user, and one document listener per shared device. The owner's own links are not listened to: at
 * 1,000 devices they doubled the web SDK's work for names the devices already carry (docs/SCALING.md); only an
 * account holding devices claimed before that field existed also listens to them, for those names. Every device
 * has its own signal, so an update re-renders that device's card only; the grid re-renders only when the set of
 * devices or a name changes. Reopened with a saved snapshot, the owned devices of its first screen are listened
 * to first, by id, and the fleet's query only once they are painted (below). Kept while the user stays signed
 * in, so moving between the grid and a detail view never re-subscribes.
 *
 * Opened offline, the store starts from the account's last snapshot (../pwa/snapshot.ts) and says so in
 * `staleSince` until Firestore answers from the server.
 */
export interface DeviceStore {
  uid: string;
  links: Signal<DeviceLink[]>;
  /** Every listener the list depends on has answered once (or the offline snapshot is shown). */
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

/** One owned device's change, from a snapshot's docChanges or, after an ignored snapshot, its whole result. */
interface OwnedChange {
  type: DocumentChange['type'];
  id: string;
  data(): DocumentData;
}

/** How long the fleet's listener waits for the first screen's answer before starting regardless. */
const FIRST_SCREEN_WAIT_MS = 1_000;

/** Runs `work` once the next frame has been painted (or soon, in a hidden page that draws no frames). */
function afterNextPaint(work: () => void): void {
  const fallback = setTimeout(work, 100);
  requestAnimationFrame(() => {
    clearTimeout(fallback);
    setTimeout(work, 0);
  });
}

function byName(a: DeviceLink, b: DeviceLink): number {
  return compareNames(a.name, b.name) || a.deviceId.localeCompare(b.deviceId);
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
  // Leaving the page writes only what changed since the last write: the first live answer is saved when the page
  // is next idle (publish), so a reload does not wait for 1,000 devices to be written on the way out.
  const onHide = () => {
    if (!staleSince.value) writer.flushPending();
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

  const failed = (failure: unknown) => {
    error.value = (failure as { code?: string }).code ?? 'unknown';
    loaded.value = true;
  };

  /** The owner's name of each owned device, from its document; null on devices claimed before the field. */
  const ownedNames = new Map<string, string | null>();
  let ownedAnswered = false;
  let sharedLinks: DeviceLink[] | null = null;
  /** Names from the owner's own links, listened to only while some owned device lacks its own copy. */
  let legacyNames: Map<string, string> | null = null;
  let stopLegacy: Unsubscribe | null = null;

  const listenLegacyNames = () => {
    stopLegacy = onSnapshot(
      ownerLinksQuery(db, uid),
      (snapshot) => {
        if (ignore(snapshot.metadata.fromCache)) return;
        const names = new Map<string, string>();
        for (const entry of snapshot.docs) {
          const link = decodeLink(entry.data());
          if (link) names.set(link.deviceId, link.name);
        }
        legacyNames = names;
        publish();
      },
      failed,
    );
  };

  /** Whether the live list has been saved once (the first is written at the next idle moment). */
  let savedLive = false;

  /** Rebuilds the sorted list once the owned devices and the shared links have both answered. */
  function publish(): void {
    if (!ownedAnswered || !sharedLinks) return;
    const unnamed = [...ownedNames.values()].some((name) => name === null);
    if (unnamed && !stopLegacy) listenLegacyNames();
    if (unnamed && !legacyNames) return;
    const next: DeviceLink[] = [];
    for (const [deviceId, name] of ownedNames) {
      next.push({ deviceId, name: name ?? legacyNames?.get(deviceId) ?? deviceId, access: 'owner' });
    }
    for (const link of sharedLinks) if (!ownedIds.has(link.deviceId)) next.push(link);
    next.sort(byName);
    const keep = new Set(next.map((l) => l.deviceId));
    for (const [deviceId, stop] of shared) {
      if (!keep.has(deviceId)) {
        stop();
        shared.delete(deviceId);
      }
    }
    for (const deviceId of devices.keys()) {
      if (!keep.has(deviceId)) devices.delete(deviceId);
    }
    for (const link of next) if (!ownedIds.has(link.deviceId)) listenShared(link.deviceId);
    links.value = next;
    loaded.value = true;
    error.value = null;
    staleSince.value = null;
    shownSnapshotAt.value = null;
    if (savedLive) writer.schedule();
    else {
      savedLive = true;
      writer.soon();
    }
  }

  /** An ignored snapshot's changes are gone from the next one's docChanges: that one is then read whole. */
  let ownedMissed = false;
  let stopOwned: Unsubscribe | null = null;
  let disposed = false;
  const listenOwned = () => {
    // Also called from timers, which may fire after sign-out.
    if (stopOwned || disposed) return;
    stopOwned = onSnapshot(
      ownedDevicesQuery(db, uid),
      // The first screen's devices are already in the SDK's cache when this starts: its answer from the server
      // may change no document, only fromCache, which the SDK reports only with metadata changes.
      { includeMetadataChanges: true },
      (snapshot) => {
        if (ignore(snapshot.metadata.fromCache)) {
          ownedMissed = true;
          return;
        }
        // One update for the whole snapshot: 1,000 devices arriving re-render the grid once, not 1,000 times.
        batch(() => {
          const changes = ownedMissed
            ? wholeResult(snapshot.docs)
            : snapshot.docChanges().map((c) => ({ type: c.type, id: c.doc.id, data: () => c.doc.data() }));
          ownedMissed = false;
          const listChanged = applyOwned(changes);
          if (listChanged || !ownedAnswered) {
            ownedAnswered = true;
            stopFirstScreen?.();
            stopFirstScreen = null;
            publish();
          }
        });
        writer.schedule();
      },
      failed,
    );
  };

  // With a saved dashboard on screen, the devices its first screen shows are listened to first, and the whole
  // fleet only once their live states are painted: the web SDK takes about half a second of the main thread to
  // take in 1,000 documents (docs/SCALING.md), during which nothing on the page could turn live. Costs one
  // read per device on that screen (at most FIRST_SCREEN_DEVICES) each time the app opens.
  let stopFirstScreen: Unsubscribe | null = null;
  const firstScreen = saved
    ? saved.links.slice(0, FIRST_SCREEN_DEVICES).filter((link) => link.access === 'owner')
    : [];
  for (const link of saved?.links.slice(0, FIRST_SCREEN_DEVICES) ?? []) {
    if (link.access !== 'owner') listenShared(link.deviceId);
  }
  if (firstScreen.length) {
    const startFleet = () => afterNextPaint(listenOwned);
    // Offline, the first screen never answers from the server: the fleet's listener starts anyway.
    const fallback = setTimeout(listenOwned, FIRST_SCREEN_WAIT_MS);
    stopFirstScreen = onSnapshot(
      ownedDevicesByIdQuery(
        db,
        uid,
        firstScreen.map((link) => link.deviceId),
      ),
      (snapshot) => {
        if (snapshot.metadata.fromCache || ownedAnswered) return;
        batch(() => {
          for (const entry of snapshot.docs)
            deviceSignal(entry.id).value = decodeDevice(entry.id, entry.data());
        });
        clearTimeout(fallback);
        startFleet();
      },
      () => {
        clearTimeout(fallback);
        listenOwned();
      },
    );
  } else listenOwned();

  /** The whole result as changes: every device in it, and the removal of any owned one no longer in it. */
  function wholeResult(docs: QueryDocumentSnapshot[]): OwnedChange[] {
    const now = new Set(docs.map((d) => d.id));
    return [
      ...[...ownedIds]
        .filter((id) => !now.has(id))
        .map((id) => ({ type: 'removed' as const, id, data: () => ({}) })),
      ...docs.map((d) => ({ type: 'added' as const, id: d.id, data: () => d.data() })),
    ];
  }

  /** Applies owned devices' changes; true when the list itself changes (a device added, removed or renamed). */
  function applyOwned(changes: OwnedChange[]): boolean {
    let listChanged = false;
    for (const change of changes) {
      const deviceId = change.id;
      if (change.type === 'removed') {
        // Released or handed over; a shared link that still names it is followed on its own (publish).
        ownedIds.delete(deviceId);
        ownedNames.delete(deviceId);
        listChanged = true;
        continue;
      }
      const data = change.data();
      const name = typeof data.owner_device_name === 'string' ? data.owner_device_name : null;
      if (!ownedIds.has(deviceId) || ownedNames.get(deviceId) !== name) listChanged = true;
      ownedIds.add(deviceId);
      ownedNames.set(deviceId, name);
      shared.get(deviceId)?.();
      shared.delete(deviceId);
      deviceSignal(deviceId).value = decodeDevice(deviceId, data);
    }
    return listChanged;
  }

  const stopLinks = onSnapshot(
    sharedLinksQuery(db, uid),
    (snapshot) => {
      if (ignore(snapshot.metadata.fromCache)) return;
      const next: DeviceLink[] = [];
      for (const entry of snapshot.docs) {
        const link = decodeLink(entry.data());
        if (link) next.push(link);
      }
      sharedLinks = next;
      publish();
    },
    failed,
  );

  return {
    uid,
    links,
    loaded,
    error,
    staleSince,
    // Which listener feeds a device is decided above (owned query or shared link); asking only reads its signal.
    device: deviceSignal,
    link: (deviceId) => links.value.find((l) => l.deviceId === deviceId),
    dispose: () => {
      disposed = true;
      writer.cancel();
      shownSnapshotAt.value = null;
      window.removeEventListener('pagehide', onHide);
      stopLinks();
      stopFirstScreen?.();
      stopOwned?.();
      stopLegacy?.();
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
