import { type ControlPayload, encodePayload, type ParsedCommand, topics } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { logs } from '../logs.ts';
import type { DeviceDoc } from '../shared/documents.ts';
import { markSendFailed, markSent, recordQueued } from './command-store.ts';
import { commandRelay } from './relay-instance.ts';

// One command to one device under the command lifecycle: recorded queued (idempotent on its id), the shadow's
// desired outputs written, published at QoS 1 and marked sent, or marked failed when the broker refuses.
// The control route and "all off in this room" both send through here, so a command has one path.

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
  const recorded = await recordQueued(db, deviceId, commandId, parsed, callerUid);
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
  await markSent(db, deviceId, commandId, createdAt);
  return { commandId, status: 'sent' };
}
