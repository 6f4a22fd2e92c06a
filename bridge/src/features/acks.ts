import { type AckPayload, commandUpdates, firestorePaths, mayApply } from '@esp32cloud/protocol';
import { type DocumentData, Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { touchDevice } from '../device-state.ts';
import { bridgeLogs } from '../logs.ts';
import { withRetry } from '../retry.ts';

// Acks: a device's answer to a command marks the command acked (or failed with the device's error) under the
// command lifecycle's rules, and the state it reports after obeying is written at once, because that is what
// the dashboard is waiting for.

export function acks(ctx: BridgeContext): BridgeFeature {
  return {
    handles: {
      async ack({ entry, envelope, now }) {
        const ack = envelope as AckPayload;
        entry.lastHeardAt = now;
        ctx.events.emit('commandAnswered', entry.serial, ack.id);
        await recordAck(ctx, entry.deviceId, ack, now);
        // The state after obeying is written at once: this is what the dashboard is waiting for.
        const changes: DocumentData = {};
        for (const [key, value] of Object.entries(ack.state?.outputs ?? {})) {
          if (entry.written.outputs[key] !== value) changes[`state.outputs.${key}`] = value;
        }
        await touchDevice(ctx, entry, now, changes);
        Object.assign(entry.written.outputs, ack.state?.outputs ?? {});
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
