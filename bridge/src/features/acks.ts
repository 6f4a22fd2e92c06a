import {
  type AckPayload,
  commandUpdates,
  firestorePaths,
  mayApply,
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
        await recordAck(ctx, entry.deviceId, ack, now);
        // The state after obeying is written at once: this is what the dashboard is waiting for.
        const outputs = state.value.outputs ?? {};
        const changes: DocumentData = {};
        for (const [key, value] of Object.entries(outputs)) {
          if (entry.written.outputs[key] !== value) changes[`state.outputs.${key}`] = value;
        }
        await touchDevice(ctx, entry, now, changes);
        Object.assign(entry.written.outputs, outputs);
        return undefined;
      },
    },
  };
}

async function recordAck(ctx: BridgeContext, deviceId: string, ack: AckPayload, now: number): Promise<void> {
  const ref = ctx.db.doc(firestorePaths.command(deviceId, ack.id));
  const snapshot = await withRetry(() => ref.get());
  if (!snapshot.exists) {
    bridgeLogs.ackForUnknownCommand(deviceId, ack.id);
    return;
  }
  // A redelivered ack finds its command acked already: nothing to record.
  if (!mayApply('ack', snapshot.get('status'))) return;
  ctx.stats.writes++;
  ctx.stats.acks++;
  await withRetry(() => ref.update(commandUpdates.ack(ack, Timestamp.fromMillis(now))));
}
