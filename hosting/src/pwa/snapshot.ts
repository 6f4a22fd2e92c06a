import type { DeviceLink, DeviceRecord } from '../devices/types.ts';

// The last known dashboard of the signed-in account, kept in localStorage so the installed app opened offline
// shows the devices (marked stale) instead of an endless "loading". One key per account; signing out, or
// another account signing in on the same phone, removes every snapshot (clearPrivateData in ./private-data.ts).

const PREFIX = 'esp32cloud.snapshot.';
/** Writes at most this often: a busy fleet changes every second, the snapshot need not. */
const WRITE_EVERY_MS = 5_000;

export interface DashboardSnapshot {
  savedAt: Date;
  links: DeviceLink[];
  devices: DeviceRecord[];
}

interface Stored {
  saved_at: number;
  links: DeviceLink[];
  devices: Array<
    Omit<DeviceRecord, 'state'> & {
      state: Omit<DeviceRecord['state'], 'lastSeen'> & { lastSeen: number | null };
    }
  >;
}

/** Records read from a saved snapshot: a card shows such a one as saved (stale) until Firestore replaces it. */
const savedRecords = new WeakSet<DeviceRecord>();

/** Whether this record came from the saved snapshot rather than from Firestore. */
export function fromSavedSnapshot(record: DeviceRecord): boolean {
  return savedRecords.has(record);
}

export function loadSnapshot(uid: string): DashboardSnapshot | null {
  try {
    const raw = localStorage.getItem(PREFIX + uid);
    if (!raw) return null;
    const stored = JSON.parse(raw) as Stored;
    return {
      savedAt: new Date(stored.saved_at),
      links: stored.links,
      devices: stored.devices.map((d) => {
        const record = {
          ...d,
          state: { ...d.state, lastSeen: d.state.lastSeen === null ? null : new Date(d.state.lastSeen) },
        };
        savedRecords.add(record);
        return record;
      }),
    };
  } catch {
    return null;
  }
}

function write(uid: string, links: DeviceLink[], devices: DeviceRecord[]): void {
  const stored: Stored = {
    saved_at: Date.now(),
    links,
    devices: devices.map((d) => ({
      ...d,
      state: { ...d.state, lastSeen: d.state.lastSeen ? d.state.lastSeen.getTime() : null },
    })),
  };
  try {
    localStorage.setItem(PREFIX + uid, JSON.stringify(stored));
  } catch {
    // full or private mode: the app still works online, only the offline view is missing
  }
}

/** Runs `work` when the page is idle (soon after where requestIdleCallback is missing); returns its cancel. */
function whenIdle(work: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(work, { timeout: WRITE_EVERY_MS });
    return () => cancelIdleCallback(handle);
  }
  const handle = setTimeout(work, 1_000);
  return () => clearTimeout(handle);
}

/**
 * A throttled writer for one account's snapshot. `schedule` writes within WRITE_EVERY_MS, `soon` at the next
 * idle moment, `flushPending` at once if a write is pending (leaving the page), `flush` at once.
 */
export function snapshotWriter(uid: string, read: () => { links: DeviceLink[]; devices: DeviceRecord[] }) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cancelIdle: (() => void) | null = null;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    cancelIdle?.();
    cancelIdle = null;
  };
  const flush = () => {
    cancel();
    const { links, devices } = read();
    write(uid, links, devices);
  };
  return {
    schedule() {
      if (!timer && !cancelIdle) timer = setTimeout(flush, WRITE_EVERY_MS);
    },
    soon() {
      if (cancelIdle) return;
      if (timer) clearTimeout(timer);
      timer = null;
      cancelIdle = whenIdle(flush);
    },
    flushPending() {
      if (timer || cancelIdle) flush();
    },
    flush,
    cancel,
  };
}

/** Removes the snapshots of every account except `keepUid` (none when omitted). */
export function removeSnapshots(keepUid?: string): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX) && key !== PREFIX + keepUid) localStorage.removeItem(key);
    }
  } catch {
    // storage unavailable: nothing was stored either
  }
}
