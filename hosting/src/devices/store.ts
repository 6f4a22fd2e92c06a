import { firestorePaths } from '@esp32cloud/protocol';
import { effect, type Signal, signal } from '@preact/signals';
import { doc, onSnapshot, type Unsubscribe } from 'firebase/firestore';
import { firestore } from '../firestore.ts';
import { currentUser } from '../session.ts';
import { decodeDevice, decodeLink } from './decode.ts';
import { userLinksQuery } from './queries.ts';
import type { DeviceLink, DeviceRecord } from './types.ts';

/**
 * The signed-in user's devices, live: one listener on the user's `user_devices` links and one per linked
 * device document. Every device has its own signal, so an update re-renders that device's card only; the
 * grid itself re-renders only when the set of links changes. Kept while the user stays signed in, so moving
 * between the grid and a detail view never re-subscribes.
 */
export interface DeviceStore {
  uid: string;
  links: Signal<DeviceLink[]>;
  /** The first links snapshot has arrived. */
  loaded: Signal<boolean>;
  /** A Firestore error code (e.g. permission-denied, unavailable) while listening. */
  error: Signal<string | null>;
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
  const devices = new Map<string, Signal<DeviceRecord | null | undefined>>();
  const listeners = new Map<string, Unsubscribe>();

  const deviceSignal = (deviceId: string) => {
    let entry = devices.get(deviceId);
    if (!entry) {
      entry = signal<DeviceRecord | null | undefined>(undefined);
      devices.set(deviceId, entry);
    }
    return entry;
  };

  const listen = (deviceId: string) => {
    if (listeners.has(deviceId)) return;
    const target = deviceSignal(deviceId);
    listeners.set(
      deviceId,
      onSnapshot(
        doc(db, firestorePaths.device(deviceId)),
        (snapshot) => {
          target.value = snapshot.exists() ? decodeDevice(deviceId, snapshot.data()) : null;
        },
        () => {
          // No longer readable (unlinked a moment ago, or rules refused): show it as missing.
          target.value = null;
        },
      ),
    );
  };

  const stopLinks = onSnapshot(
    userLinksQuery(db, uid),
    (snapshot) => {
      const next: DeviceLink[] = [];
      for (const change of snapshot.docs) {
        const link = decodeLink(change.data());
        if (link) next.push(link);
      }
      next.sort(byName);
      const keep = new Set(next.map((l) => l.deviceId));
      for (const [deviceId, stop] of listeners) {
        if (!keep.has(deviceId)) {
          stop();
          listeners.delete(deviceId);
          devices.delete(deviceId);
        }
      }
      for (const link of next) listen(link.deviceId);
      links.value = next;
      loaded.value = true;
      error.value = null;
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
    device: (deviceId) => {
      if (!listeners.has(deviceId)) listen(deviceId);
      return deviceSignal(deviceId);
    },
    link: (deviceId) => links.value.find((l) => l.deviceId === deviceId),
    dispose: () => {
      stopLinks();
      for (const stop of listeners.values()) stop();
      listeners.clear();
      devices.clear();
    },
  };
}

let active: DeviceStore | null = null;

/** The store of the signed-in user (created on first use). */
export function deviceStore(uid: string): DeviceStore {
  if (active?.uid === uid) return active;
  active?.dispose();
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
