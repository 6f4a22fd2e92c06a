import {
  type AckPayload,
  commandUpdates,
  firestorePaths,
  sanitizeAckResult,
  sanitizeState,
} from '@esp32cloud/protocol';
import { type DocumentData, Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { touchDevice } from '../device-state.ts';
import { bridgeLogs } from '../logs.ts';
import { withRetry } from '../retry.ts';

// Acks: a device's answer to a command marks the command acked (or failed with the device's error) under the
// command lifecycle's rules, and the state it reports after obeying is written at once, because that is what
// the dashboard is waiting for. The state and result are kept only as far as the device's type allows
// (protocol device-input.ts): a forged `state.outputs.owner_uid` never reaches the device document, and a
// device's own error text never reaches the command document (command-lifecycle.ts keeps codes only).

export function acks(ctx: BridgeContext): BridgeFeature {
  return {
    handles: {
      async ack({ entry, envelope, now }) {
        const reported = envelope as AckPayload;
        entry.lastHeardAt = now;
        ctx.events.emit('commandAnswered', entry.serial, reported.id);
        const state = sanitizeState(entry.type, reported.state);
        const result = reported.ok ? sanitizeAckResult(entry.type, reported.result) : undefined;
        const dropped = [...state.dropped, ...(result?.dropped ?? [])];
        if (dropped.length > 0) bridgeLogs.fieldsDropped(entry.deviceId, 'ack', dropped);
        if (!reported.ok) bridgeLogs.deviceRefusedCommand(entry.deviceId, reported.id, reported.error);
        const ack: AckPayload = reported.ok
          ? { ...reported, result: result?.value, state: state.value }
          : { ...reported, state: state.value };
        // The ack and the state after obeying (what the dashboard is waiting for) go out together: one round
        // trip, not three (read, ack, state).
        const outputs = state.value.outputs ?? {};
        const changes: DocumentData = {};
        for (const [key, value] of Object.entries(outputs)) {
          if (entry.written.outputs[key] !== value) changes[`state.outputs.${key}`] = value;
        }
        await Promise.all([
          recordAck(ctx, entry.deviceId, ack, now),
          touchDevice(ctx, entry, now, changes)?.then(() => Object.assign(entry.written.outputs, outputs)),
        ]);
        return undefined;
      },
    },
  };
}

const NOT_FOUND = 5;

/**
 * A blind update, no read first: the only status an ack may not overwrite is `acked` itself
 * (COMMAND_TRANSITIONS), and a second ack of one command id is a redelivery carrying the same answer, so
 * rewriting it changes nothing but `acked_at`. A timeout racing the ack runs in a transaction
 * (stale-commands.ts), which this write aborts, and the retried transaction then finds the ack.
 */
async function recordAck(ctx: BridgeContext, deviceId: string, ack: AckPayload, now: number): Promise<void> {
  const ref = ctx.db.doc(firestorePaths.command(deviceId, ack.id));
  try {
    await withRetry(() => ref.update(commandUpdates.ack(ack, Timestamp.fromMillis(now))));
  } catch (error) {
    if ((error as { code?: unknown }).code !== NOT_FOUND) throw error;
    bridgeLogs.ackForUnknownCommand(deviceId, ack.id);
    return;
  }
  ctx.stats.writes++;
  ctx.stats.acks++;
}
