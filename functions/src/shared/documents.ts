import {
  type AccessLevel,
  type ClaimWindowFields,
  COLLECTIONS,
  DEFAULT_UPDATE_INTERVAL,
  type DeviceStatus,
  type DeviceSubcollection,
  type DeviceType,
  defaultOutputs,
  firestorePaths,
  type Outputs,
  type Readings,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';

// The registry's Firestore documents (docs/DATA_MODEL.md), their paths and their initial values. One place,
// so the routes, the provisioning core and the tests agree on every field.

// Collection names and document paths come from @esp32cloud/protocol (firestore-paths.ts), shared with the
// bridge and the web app; re-exported here so registry code has one import for its documents.
export { COLLECTIONS, DEVICE_SUBCOLLECTIONS } from '@esp32cloud/protocol';

export interface DeviceDoc {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  firmware_version: string;
  manufacturing_date: Timestamp;
  status: DeviceStatus;
  created_at: Timestamp;
  batch_id: string | null;
  owner_uid: string | null;
  registered_at?: Timestamp | null;
  /** The owner's room for the device (any Unicode); absent or null when in none. */
  room?: string | null;
  /**
   * A copy of the owner's `user_devices` link's `device_name` (the link stays the source), written in the same
   * transaction, so the dashboard names owned devices from their one query without listening to the owner's
   * links (docs/SCALING.md, "Dashboard at 1,000 devices"). Absent on devices claimed before it existed.
   */
  owner_device_name?: string | null;
  state: {
    online: boolean;
    last_seen: Timestamp | null;
    outputs: Outputs;
    readings: Readings;
    rssi?: number;
    firmware?: string;
  };
  desired: { outputs: Outputs; updated_at: Timestamp | null; command_id: string | null } | null;
}

export interface UserDeviceDoc {
  user_id: string;
  device_id: string;
  device_name: string;
  access_level: AccessLevel;
  added_at: Timestamp;
  last_accessed: Timestamp;
}

export interface DeviceConfigDoc {
  device_id: string;
  wifi_ssid: string | null;
  mqtt_broker_url: string;
  update_interval: number;
  custom_settings: Record<string, unknown>;
  updated_at: Timestamp;
}

export interface DeviceSecretDoc extends ClaimWindowFields {
  device_id: string;
  serial_number: string;
  claim_code_hash: string;
  /** Bumped each time a new claim code replaces the old one (release, reissue). */
  claim_code_generation: number;
  broker_username: string;
  broker_password_hash: string;
  broker_registered: boolean;
  updated_at: Timestamp;
}

/** transfers/{deviceId}: an owner's pending offer of the device to another account. */
export interface TransferDoc {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  device_name: string;
  from_uid: string;
  from_email: string | null;
  to_uid: string;
  to_email: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SerialDoc {
  device_id: string;
  batch_id: string | null;
  created_at: Timestamp;
}

export interface BatchDoc {
  batch_id: string;
  device_type: DeviceType;
  firmware_version: string;
  count: number;
  serials: string[];
  complete: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const refs = (db: Firestore) => ({
  device: (deviceId: string) => db.doc(firestorePaths.device(deviceId)),
  link: (uid: string, deviceId: string) => db.doc(firestorePaths.userDevice(uid, deviceId)),
  /** Every user link to a device (owner, controllers, viewers). */
  linksOf: (deviceId: string) => db.collection(COLLECTIONS.userDevices).where('device_id', '==', deviceId),
  linksFor: (uid: string) => db.collection(COLLECTIONS.userDevices).where('user_id', '==', uid),
  config: (deviceId: string) => db.doc(firestorePaths.deviceConfig(deviceId)),
  secret: (deviceId: string) => db.doc(firestorePaths.deviceSecret(deviceId)),
  serial: (serial: string) => db.doc(firestorePaths.serial(serial)),
  batch: (batchId: string) => db.doc(firestorePaths.batch(batchId)),
  rateLimit: (key: string) => db.doc(firestorePaths.rateLimit(key)),
  transfer: (deviceId: string) => db.doc(firestorePaths.transfer(deviceId)),
  transfersTo: (uid: string) => db.collection(COLLECTIONS.transfers).where('to_uid', '==', uid),
  command: (deviceId: string, commandId: string) => db.doc(firestorePaths.command(deviceId, commandId)),
  subcollection: (deviceId: string, name: DeviceSubcollection) =>
    db.collection(firestorePaths.deviceSubcollection(deviceId, name)),
});

export function initialState(type: DeviceType): DeviceDoc['state'] {
  return { online: false, last_seen: null, outputs: defaultOutputs(type), readings: {} };
}

export function defaultConfig(deviceId: string, brokerUrl: string, now = Timestamp.now()): DeviceConfigDoc {
  return {
    device_id: deviceId,
    wifi_ssid: null,
    mqtt_broker_url: brokerUrl,
    update_interval: DEFAULT_UPDATE_INTERVAL,
    custom_settings: {},
    updated_at: now,
  };
}

export function iso(value: unknown): string | null {
  return value instanceof Timestamp ? value.toDate().toISOString() : null;
}
