import { type DeviceType, firestorePaths, parseCommand } from '@esp32cloud/protocol';
import { doc, onSnapshot, type Unsubscribe } from 'firebase/firestore';
import { firestore } from '../firestore.ts';
import { api } from '../lib/api.ts';
import { decodeCommand } from './decode.ts';
import type { CommandRecord } from './types.ts';

export interface CommandBody {
  command: string;
  [param: string]: unknown;
}

/**
 * Sends a command through the API (which publishes it to the device) and returns its id. The body is checked
 * against the catalogue first, so a malformed command never leaves the browser. The id is chosen here so a
 * retried request is idempotent.
 */
export async function sendCommand(deviceId: string, type: DeviceType, body: CommandBody): Promise<string> {
  const parsed = parseCommand(type, body);
  if (!parsed.ok) throw new Error(parsed.error);
  const id = crypto.randomUUID();
  const answer = await api<{ command_id: string }>(
    'POST',
    `/devices/${encodeURIComponent(deviceId)}/control`,
    { ...body, id },
  );
  return answer.command_id ?? id;
}

/** Follows a command document through its lifecycle (queued → sent → acked | failed | timed out). */
export function watchCommand(
  deviceId: string,
  commandId: string,
  onChange: (command: CommandRecord) => void,
): Unsubscribe {
  return onSnapshot(doc(firestore(), firestorePaths.command(deviceId, commandId)), (snapshot) => {
    if (snapshot.exists()) onChange(decodeCommand(commandId, snapshot.data()));
  });
}
