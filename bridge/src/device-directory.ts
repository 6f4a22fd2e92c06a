import {
  COLLECTIONS,
  DEFAULT_UPDATE_INTERVAL,
  type DeviceType,
  isDeviceType,
  type Outputs,
  type Readings,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';

// serial number → device document, with what the bridge last wrote for it (so unchanged telemetry costs no
// write) and the users linked to it (for the users/{uid}/devices/{serial}/status republish).

export interface WrittenState {
  online: boolean | null;
  outputs: Outputs;
  readings: Readings;
  firmware: string | null;
  /** ms since epoch of the last state.last_seen write. */
  lastSeenAt: number;
  readingsAt: number;
}

export interface DeviceEntry {
  deviceId: string;
  serial: string;
  type: DeviceType;
  status: string;
  users: string[];
  loadedAt: number;
  written: WrittenState;
  /** ms since epoch of the last message of any kind from the device (heartbeat-timeout clock). */
  lastHeardAt: number;
  updateIntervalSeconds: number;
}

interface DeviceDoc {
  device_id?: string;
  device_type?: string;
  status?: string;
  state?: {
    online?: boolean;
    outputs?: Outputs;
    readings?: Readings;
    firmware?: string;
    last_seen?: { toMillis(): number };
  };
}

export class DeviceDirectory {
  private readonly entries = new Map<string, DeviceEntry>();
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly db: Firestore,
    private readonly ttlMs: number,
  ) {}

  /** The device when it is in memory and fresh (no read due): the hot path, without a promise. */
  cached(serial: string, now: number): DeviceEntry | undefined {
    const cached = this.entries.get(serial);
    return cached && now - cached.loadedAt <= this.ttlMs ? cached : undefined;
  }

  /** The device with this serial, or null when no device document carries it. Callers serialise per serial. */
  async lookup(serial: string, now = Date.now()): Promise<DeviceEntry | null> {
    const cached = this.entries.get(serial);
    if (cached) {
      if (now - cached.loadedAt > this.ttlMs) {
        cached.users = await this.linkedUsers(cached.deviceId);
        cached.loadedAt = now;
      }
      return cached;
    }
    const unknownAt = this.unknown.get(serial);
    if (unknownAt !== undefined && now - unknownAt < this.ttlMs) return null;

    const snapshot = await this.db
      .collection(COLLECTIONS.devices)
      .where('serial_number', '==', serial)
      .limit(1)
      .get();
    const doc = snapshot.docs[0];
    const data = doc?.data() as DeviceDoc | undefined;
    if (!doc || !data || !isDeviceType(data.device_type)) {
      this.unknown.set(serial, now);
      return null;
    }
    const state = data.state ?? {};
    const entry: DeviceEntry = {
      deviceId: doc.id,
      serial,
      type: data.device_type,
      status: data.status ?? 'available',
      users: await this.linkedUsers(doc.id),
      loadedAt: now,
      written: {
        online: typeof state.online === 'boolean' ? state.online : null,
        outputs: { ...(state.outputs ?? {}) },
        readings: { ...(state.readings ?? {}) },
        firmware: state.firmware ?? null,
        lastSeenAt: state.last_seen?.toMillis?.() ?? 0,
        readingsAt: 0,
      },
      lastHeardAt: now,
      updateIntervalSeconds: DEFAULT_UPDATE_INTERVAL,
    };
    this.entries.set(serial, entry);
    return entry;
  }

  private async linkedUsers(deviceId: string): Promise<string[]> {
    const links = await this.db.collection(COLLECTIONS.userDevices).where('device_id', '==', deviceId).get();
    return links.docs.map((d) => d.get('user_id')).filter((uid): uid is string => typeof uid === 'string');
  }

  all(): IterableIterator<DeviceEntry> {
    return this.entries.values();
  }
}
