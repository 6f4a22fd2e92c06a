// Every Firestore collection and document path of the platform (docs/DATA_MODEL.md), owned once: the
// functions, the bridge and the web app build their references from these, so a renamed collection or a new
// subcollection is one edit. Plain strings only (no SDK types), so the Admin and the web SDK both use them.

export const COLLECTIONS = {
  devices: 'devices',
  userDevices: 'user_devices',
  deviceConfigs: 'device_configs',
  deviceSecrets: 'device_secrets',
  serials: 'serials',
  batches: 'batches',
  rateLimits: 'rate_limits',
  /** transfers/{deviceId}: at most one pending ownership transfer per device (API only, no client rule). */
  transfers: 'transfers',
  /** Read (never written) by the API's health probe. */
  health: '_health',
} as const;

/** Subcollections under devices/{deviceId}. */
export const DEVICE_SUBCOLLECTIONS = {
  commands: 'commands',
  usage: 'usage',
  logs: 'logs',
} as const;

export type DeviceSubcollection = (typeof DEVICE_SUBCOLLECTIONS)[keyof typeof DEVICE_SUBCOLLECTIONS];

/** A user's link to a device lives at user_devices/{uid}_{deviceId}: one link per user and device. */
export const userDeviceId = (uid: string, deviceId: string) => `${uid}_${deviceId}`;

/** A day's usage document id: the UTC date, yyyy-mm-dd. */
export const usageDayId = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const firestorePaths = {
  device: (deviceId: string) => `${COLLECTIONS.devices}/${deviceId}`,
  userDevice: (uid: string, deviceId: string) => `${COLLECTIONS.userDevices}/${userDeviceId(uid, deviceId)}`,
  deviceConfig: (deviceId: string) => `${COLLECTIONS.deviceConfigs}/${deviceId}`,
  deviceSecret: (deviceId: string) => `${COLLECTIONS.deviceSecrets}/${deviceId}`,
  serial: (serial: string) => `${COLLECTIONS.serials}/${serial}`,
  batch: (batchId: string) => `${COLLECTIONS.batches}/${batchId}`,
  rateLimit: (key: string) => `${COLLECTIONS.rateLimits}/${key}`,
  transfer: (deviceId: string) => `${COLLECTIONS.transfers}/${deviceId}`,
  /** devices/{deviceId}/{commands|usage|logs} */
  deviceSubcollection: (deviceId: string, name: DeviceSubcollection) =>
    `${COLLECTIONS.devices}/${deviceId}/${name}`,
  command: (deviceId: string, commandId: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.commands}/${commandId}`,
  usageDay: (deviceId: string, day: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.usage}/${day}`,
  logs: (deviceId: string) => `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.logs}`,
} as const;
