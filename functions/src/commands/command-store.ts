import {
  type CommandDoc,
  type CommandEvent,
  type CommandStatus,
  commandUpdates,
  mayApply,
  type ParsedCommand,
} from '@esp32cloud/protocol';
import { type DocumentReference, type Firestore, Timestamp } from 'firebase-admin/firestore';
import { refs } from '../shared/documents.ts';

// The API's side of the command lifecycle (@esp32cloud/protocol command-lifecycle.ts): record a command as
// queued, then mark it sent or failed, and keep the device shadow's `desired` in step. The bridge writes the
// rest (acks, timeouts) under the same transition rules.

export interface RecordedCommand {
  /** False when a command with this id already existed (a retried request): nothing is sent again. */
  created: boolean;
  status: CommandStatus;
}

/** Records `command` as queued under `commandId`, unless that id exists already (idempotent retries). */
export async function recordQueued(
  db: Firestore,
  deviceId: string,
  commandId: string,
  command: ParsedCommand,
  requestedBy: string,
): Promise<RecordedCommand> {
  const ref = refs(db).command(deviceId, commandId);
  return db.runTransaction(async (tx) => {
    const existing = await tx.get(ref);
    if (existing.exists) return { created: false, status: existing.get('status') as CommandStatus };
    const doc: CommandDoc<Timestamp> = {
      id: commandId,
      command: command.command,
      params: command.params,
      status: 'queued',
      requested_by: requestedBy,
      created_at: Timestamp.now(),
    };
    tx.create(ref, doc);
    return { created: true, status: 'queued' };
  });
}

export async function markSent(db: Firestore, deviceId: string, commandId: string): Promise<void> {
  await advance(db, refs(db).command(deviceId, commandId), 'send', commandUpdates.send(Timestamp.now()));
}

/** Stores the fixed broker_unavailable error; the caller logs the relay's own error text. */
export async function markSendFailed(db: Firestore, deviceId: string, commandId: string): Promise<void> {
  await advance(db, refs(db).command(deviceId, commandId), 'sendFailed', commandUpdates.sendFailed());
}

/**
 * Applies `event` only from the statuses the lifecycle allows: a fast device's ack (written by the bridge) can
 * land before this request records that it sent the command, and must never be overwritten.
 */
async function advance(
  db: Firestore,
  ref: DocumentReference,
  event: CommandEvent,
  fields: Record<string, unknown>,
): Promise<void> {
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (mayApply(event, snap.get('status'))) tx.update(ref, fields);
  });
}

/** The device shadow's `desired`: the outputs the owner last asked for, merged field by field. */
export async function recordDesired(
  db: Firestore,
  deviceId: string,
  commandId: string,
  command: ParsedCommand,
): Promise<void> {
  if (Object.keys(command.desiredOutputs).length === 0) return;
  const ref = refs(db).device(deviceId);
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const current = (snap.get('desired.outputs') as Record<string, unknown> | undefined) ?? {};
    tx.update(ref, {
      desired: {
        outputs: { ...current, ...command.desiredOutputs },
        updated_at: Timestamp.now(),
        command_id: commandId,
      },
    });
  });
}
