import {
  ackPayloadSchema,
  type DeviceTopicKind,
  decodePayload,
  heartbeatPayloadSchema,
  logPayloadSchema,
  type ParsedDeviceTopic,
  resetPayloadSchema,
  statusPayloadSchema,
} from '@esp32cloud/protocol';
import type { z } from 'zod';
import { type BridgeContext, type DeviceMessageHandler, drop } from './context.ts';
import { bridgeLogs } from './logs.ts';
import { withRetry } from './retry.ts';

// One device message, from bytes to the feature that handles its kind: the envelope is validated before
// Firestore is touched (garbage costs no read), the serial is looked up in the directory, the event bus hears
// about it, then the handler runs. Runs on the device's queue, so a device's messages are handled in order.

const ENVELOPES: Record<DeviceTopicKind, z.ZodType<unknown>> = {
  status: statusPayloadSchema,
  heartbeat: heartbeatPayloadSchema,
  ack: ackPayloadSchema,
  logs: logPayloadSchema,
  reset: resetPayloadSchema,
};

export async function ingest(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  topic: string,
  parsed: ParsedDeviceTopic,
  payload: Buffer,
  /** When the message reached the bridge: a device's "last heard" is then, not when its queue got to it. */
  receivedAt: number,
): Promise<void> {
  const envelope = decodePayload(ENVELOPES[parsed.kind], payload);
  if (!envelope.ok) {
    drop(ctx, topic, envelope.error, 'invalid');
    return;
  }

  const now = receivedAt;
  const entry = await withRetry(() => ctx.directory.lookup(parsed.serial, now));
  if (!entry) {
    bridgeLogs.deviceUnknown(parsed.serial);
    drop(ctx, topic, 'unknown serial', 'unknown_device');
    return;
  }

  ctx.events.emit('deviceMessage', entry, parsed.kind, now);
  const outcome = await handlers[parsed.kind]?.({ topic, entry, envelope: envelope.value, payload, now });
  if (outcome === 'dropped') return;
  ctx.stats.processed++;
  ctx.events.emit('messageAccepted', entry, parsed.kind, envelope.value, now);
}
