import {
  type CommandDoc,
  type CommandStatus,
  commandUpdates,
  type ParsedCommand,
} from '@esp32cloud/protocol';
import { FieldPath, type Firestore, Timestamp } from 'firebase-admin/firestore';
import { refs } from '../shared/documents.ts';

// The API's side of the command lifecycle (@esp32cloud/protocol command-lifecycle.ts): record a command as
// sent, mark it failed when the broker refuses it, and keep the device shadow's `desired` in step. The bridge
// writes the rest (acks, timeouts) under the same transition rules.
//
// One Firestore round trip per command before its publish, and no transaction (docs/SCALING.md, "Why
// commands stalled"):
//  1. one batch creates the command, already `sent`, and merges the outputs into `desired`, just before the
//     publish. A second write marking it sent after the publish cost every command one more round trip
//     before the API could answer; what it told apart (recorded but not yet published) lasts a millisecond,
//     and a command whose instance died in between is ended by the bridge's timeout like any unanswered one.
//  2. only when the publish fails: `failed` is an update conditioned on the command's update time from
//     step 1, so "unchanged since it was created" is exactly "nobody answered it". A device's ack (written by
//     the bridge) that lands first makes the precondition fail, and the ack stands; no read, nothing to
//     retry. A read-modify-write transaction here was aborted by that very ack and retried after the SDK's
//     0.5–1.5 s backoff.

export interface RecordedCommand {
  status: CommandStatus;
  /**
   * The command document's update time when this request created it (the precondition of step 2); null when
   * a command with this id already existed (a retried request): nothing is sent again.
   */
  createdAt: Timestamp | null;
}

const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

/**
 * Records `command` as sent under `commandId` and merges its outputs into the device's `desired`, in one
 * atomic batch, before it is published; when that id exists already (an idempotent retry) nothing is written.
 */
export async function recordSent(
  db: Firestore,
  deviceId: string,
  commandId: string,
  command: ParsedCommand,
  requestedBy: string,
): Promise<RecordedCommand> {
  const r = refs(db);
  const ref = r.command(deviceId, commandId);
  const now = Timestamp.now();
  const doc: CommandDoc<Timestamp> = {
    id: commandId,
    command: command.command,
    params: command.params,
    requested_by: requestedBy,
    created_at: now,
    ...commandUpdates.send(now),
  };
  const batch = db.batch().create(ref, doc);
  const outputs = Object.entries(command.desiredOutputs);
  if (outputs.length > 0) {
    // Field paths, not a read: `desired.outputs` is merged output by output, as the shadow's contract says.
    const fields: unknown[] = [];
    for (const [key, value] of outputs) fields.push(new FieldPath('desired', 'outputs', key), value);
    batch.update(
      r.device(deviceId),
      new FieldPath('desired', 'updated_at'),
      now,
      new FieldPath('desired', 'command_id'),
      commandId,
      ...fields,
    );
  }
  try {
    const [created] = await batch.commit();
    return { status: 'sent', createdAt: created!.writeTime };
  } catch (error) {
    if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
    const existing = await ref.get();
    return { status: existing.get('status') as CommandStatus, createdAt: null };
  }
}

/** Stores the fixed broker_unavailable error; the caller logs the relay's own error text. */
export async function markSendFailed(
  db: Firestore,
  deviceId: string,
  commandId: string,
  createdAt: Timestamp,
): Promise<void> {
  await updateIfUnanswered(db, deviceId, commandId, createdAt, commandUpdates.sendFailed());
}

async function updateIfUnanswered(
  db: Firestore,
  deviceId: string,
  commandId: string,
  createdAt: Timestamp,
  fields: Record<string, unknown>,
): Promise<void> {
  try {
    await refs(db).command(deviceId, commandId).update(fields, { lastUpdateTime: createdAt });
  } catch (error) {
    // The bridge recorded a later status (ack, timeout) first: that one stands.
    if ((error as { code?: number }).code !== FAILED_PRECONDITION) throw error;
  }
}
