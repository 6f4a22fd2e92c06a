import { type ControlPayload, encodePayload, type ParsedCommand, topics } from '@esp32cloud/protocol';
import { db } from '../firebase.ts';
import { ApiError, unavailable } from '../http/errors.ts';
import { logs } from '../logs.ts';
import type { DeviceDoc } from '../shared/documents.ts';
import { markSendFailed, markSent, recordDesired, recordQueued } from './command-store.ts';
import { commandRelay, RelayUnavailableError } from './relay-instance.ts';

// Sending one validated command to a device: recorded (queued), published at QoS 1 on its control topic,
// marked sent. Used by the customer's control route and by the operator's diagnostic action.

export interface SentCommand {
  command_id: string;
  status: string;
}

export async function sendCommand(
  device: DeviceDoc,
  command: ParsedCommand,
  requestedBy: string,
  id?: string,
): Promise<SentCommand> {
  // Devices keep clean MQTT sessions (a relay must not switch hours later), so a command to an offline
  // device would be lost: say so at once instead of leaving the UI "switching…" forever.
  if (device.state?.online !== true) {
    throw new ApiError(
      409,
      'device_offline',
      'The device is offline. Check its power and Wi-Fi, then try again.',
    );
  }
  const deviceId = device.device_id;
  const commandId = id ?? `cmd_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  const created = await recordQueued(db, deviceId, commandId, command, requestedBy);
  if (!created.created) return { command_id: commandId, status: created.status };

  await recordDesired(db, deviceId, commandId, command);
  const payload: ControlPayload = { ...command.params, v: 1, id: commandId, command: command.command };
  try {
    await commandRelay().publish(topics.control(device.serial_number), encodePayload(payload));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logs.commandNotSent(deviceId, commandId, message);
    await markSendFailed(db, deviceId, commandId);
    if (error instanceof RelayUnavailableError) {
      throw unavailable('The device service is unreachable right now; the command was not sent. Try again.');
    }
    throw error;
  }
  await markSent(db, deviceId, commandId);
  return { command_id: commandId, status: 'sent' };
}
