import type { AccessLevel, DeviceStatus } from '@esp32cloud/protocol';
import {
  DEFAULT_UPDATE_INTERVAL,
  type DeviceType,
  defaultOutputs,
  type Outputs,
  type Readings,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';

// The registry's Firestore documents (docs/DATA_MODEL.md), their paths and their initial values. One place,
// so the routes, the provisioning core and the tests agree on every field.

export const COLLECTIONS = {
  devices: 'devices',
  userDevices: 'user_devices',
  deviceConfigs: 'device_configs',
  deviceSecrets: 'device_secrets',
  serials: 'serials',
  batches: 'batches',
  rateLimits: 'rate_limits',
} as const;

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

export interface DeviceSecretDoc {
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
  device: (deviceId: string) => db.collection(COLLECTIONS.devices).doc(deviceId),
  link: (uid: string, deviceId: string) => db.collection(COLLECTIONS.userDevices).doc(`${uid}_${deviceId}`),
  config: (deviceId: string) => db.collection(COLLECTIONS.deviceConfigs).doc(deviceId),
  secret: (deviceId: string) => db.collection(COLLECTIONS.deviceSecrets).doc(deviceId),
  serial: (serial: string) => db.collection(COLLECTIONS.serials).doc(serial),
  batch: (batchId: string) => db.collection(COLLECTIONS.batches).doc(batchId),
  rateLimit: (key: string) => db.collection(COLLECTIONS.rateLimits).doc(key),
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
