import { commandOutcome, isCommandStatus, isDeviceType } from '@esp32cloud/protocol';
import type { AccessLevel, CommandRecord, CommandStatus, DeviceLink, DeviceRecord } from './types.ts';

// Firestore document data → app types. Defensive: a half-written or older document must not break the grid.

type Data = Record<string, unknown>;

function toDate(value: unknown): Date | null {
  if (value && typeof (value as { toDate?: unknown }).toDate === 'function') {
    return (value as { toDate(): Date }).toDate();
  }
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

function record(value: unknown): Data {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : {};
}

const ACCESS: readonly AccessLevel[] = ['owner', 'controller', 'viewer'];

export function decodeLink(data: Data): DeviceLink | null {
  const deviceId = data.device_id;
  if (typeof deviceId !== 'string') return null;
  const access = ACCESS.includes(data.access_level as AccessLevel)
    ? (data.access_level as AccessLevel)
    : 'viewer';
  return { deviceId, name: typeof data.device_name === 'string' ? data.device_name : deviceId, access };
}

export function decodeDevice(deviceId: string, data: Data): DeviceRecord {
  const state = record(data.state);
  const desired = record(data.desired);
  return {
    deviceId,
    serialNumber: String(data.serial_number ?? ''),
    type: isDeviceType(data.device_type) ? data.device_type : '4Relay',
    status: String(data.status ?? ''),
    room: typeof data.room === 'string' && data.room ? data.room : null,
    firmware: String(state.firmware ?? data.firmware_version ?? ''),
    state: {
      online: state.online === true,
      lastSeen: toDate(state.last_seen),
      outputs: record(state.outputs) as DeviceRecord['state']['outputs'],
      readings: record(state.readings) as DeviceRecord['state']['readings'],
      rssi: typeof state.rssi === 'number' ? state.rssi : undefined,
    },
    desiredOutputs: record(desired.outputs) as DeviceRecord['desiredOutputs'],
  };
}

/** A command's progress, read under the command lifecycle's rules (commandOutcome). */
export function decodeCommand(id: string, data: Data): CommandRecord {
  const error =
    typeof data.error === 'string'
      ? data.error
      : typeof record(data.error).message === 'string'
        ? (record(data.error).message as string)
        : undefined;
  const outcome = commandOutcome(data);
  const stored = isCommandStatus(data.status) ? data.status : 'queued';
  const status: CommandStatus = outcome === 'pending' ? stored : outcome === 'acked' ? 'acked' : 'failed';
  return { id, status, outcome, error };
}
