import type {
  AccessLevel,
  CommandOutcome,
  CommandStatus,
  DeviceType,
  Outputs,
  Readings,
} from '@esp32cloud/protocol';

export type { AccessLevel, CommandStatus } from '@esp32cloud/protocol';

// What the app reads from Firestore (docs/DATA_MODEL.md), with timestamps already turned into Dates.

/** One `user_devices/{uid}_{deviceId}` document: the user's link to a device. */
export interface DeviceLink {
  deviceId: string;
  name: string;
  access: AccessLevel;
}

export interface DeviceState {
  online: boolean;
  lastSeen: Date | null;
  outputs: Outputs;
  readings: Readings;
  rssi?: number;
}

/** One `devices/{deviceId}` document. */
export interface DeviceRecord {
  deviceId: string;
  serialNumber: string;
  type: DeviceType;
  status: string;
  /** The owner's room for the device (every linked user sees it); null when in none. */
  room: string | null;
  firmware: string;
  state: DeviceState;
  desiredOutputs: Outputs;
}

export interface CommandRecord {
  id: string;
  status: CommandStatus;
  /** How it ended, or 'pending' (the command lifecycle in @esp32cloud/protocol). */
  outcome: CommandOutcome;
  error?: string;
}
