import { type ControlPayload, encodePayload, type ParsedCommand, topics } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { db as defaultDb } from '../firebase.ts';
import { ApiError, unavailable } from '../http/errors.ts';
import { logs } from '../logs.ts';
import type { DeviceDoc } from '../shared/documents.ts';
import { markSendFailed, recordSent } from './command-store.ts';
import { commandRelay, RelayUnavailableError } from './relay-instance.ts';

// One command to one device under the command lifecycle: recorded sent (idempotent on its id) with the
// shadow's desired outputs and published at QoS 1, or marked failed when the broker refuses.
// Every sender goes through here — the control route, "all off in this room", the operator's diagnostic
// action — so a command has one path.

export interface SentCommand {
  commandId: string;
  /** The recorded status (a repeated id answers with what is already recorded, and sends nothing). */
  status: string;
}

export function newCommandId(): string {
  return `cmd_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Throws the relay's error (RelayUnavailableError when the broker cannot be reached) after marking it failed. */
export async function sendToDevice(
  db: Firestore,
  deviceId: string,
  device: DeviceDoc,
  parsed: ParsedCommand,
  callerUid: string,
  commandId: string,
): Promise<SentCommand> {
  const recorded = await recordSent(db, deviceId, commandId, parsed, callerUid);
  if (!recorded.createdAt) return { commandId, status: recorded.status };
  const createdAt = recorded.createdAt;
  const payload: ControlPayload = { ...parsed.params, v: 1, id: commandId, command: parsed.command };
  try {
    await commandRelay().publish(topics.control(device.serial_number), encodePayload(payload));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logs.commandNotSent(deviceId, commandId, message);
    await markSendFailed(db, deviceId, commandId, createdAt);
    throw error;
  }
  return { commandId, status: 'sent' };
}

/**
 * An API request's command: refused with 409 when the device is offline (devices keep clean MQTT sessions,
 * so a relay must not switch hours later and the UI must not wait forever), 503 when the broker is down.
 */
export async function sendCommand(
  device: DeviceDoc,
  command: ParsedCommand,
  requestedBy: string,
  id?: string,
): Promise<{ command_id: string; status: string }> {
  if (device.state?.online !== true) {
    throw new ApiError(
      409,
      'device_offline',
      'The device is offline. Check its power and Wi-Fi, then try again.',
    );
  }
  try {
    const sent = await sendToDevice(
      defaultDb,
      device.device_id,
      device,
      command,
      requestedBy,
      id ?? newCommandId(),
    );
    return { command_id: sent.commandId, status: sent.status };
  } catch (error) {
    if (error instanceof RelayUnavailableError) {
      throw unavailable('The device service is unreachable right now; the command was not sent. Try again.');
    }
    throw error;
  }
}
