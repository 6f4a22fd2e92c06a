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
import { type BridgeContext, type DeviceMessage, type DeviceMessageHandler, drop } from './context.ts';
import { bridgeLogs } from './logs.ts';
import { withRetry } from './retry.ts';

// One device message, from bytes to the feature that handles its kind: the envelope is validated before
// Firestore is touched (garbage costs no read), the serial is looked up in the directory, the event bus hears
// about it, then the handler runs. Runs on the device's queue, so a device's messages are handled in order.
// Synchronous as far as it can be (issue #21): a device the directory knows and a message that writes nothing
// (an unchanged status, a heartbeat inside the last_seen window) return no promise, so the device's queue moves
// on in the same turn.

const ENVELOPES: Record<DeviceTopicKind, z.ZodType<unknown>> = {
  status: statusPayloadSchema,
  heartbeat: heartbeatPayloadSchema,
  ack: ackPayloadSchema,
  logs: logPayloadSchema,
  reset: resetPayloadSchema,
};

export function ingest(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  topic: string,
  parsed: ParsedDeviceTopic,
  payload: Buffer,
  /** When the message reached the bridge: a device's "last heard" is then, not when its queue got to it. */
  receivedAt: number,
): Promise<void> | undefined {
  const envelope = decodePayload(ENVELOPES[parsed.kind], payload);
  if (!envelope.ok) {
    drop(ctx, topic, envelope.error, 'invalid');
    return undefined;
  }
  const cached = ctx.directory.cached(parsed.serial, receivedAt);
  if (cached)
    return handle(ctx, handlers, parsed.kind, {
      topic,
      entry: cached,
      envelope: envelope.value,
      payload,
      now: receivedAt,
    });
  return withRetry(() => ctx.directory.lookup(parsed.serial, receivedAt)).then((entry) => {
    if (!entry) {
      bridgeLogs.deviceUnknown(parsed.serial);
      drop(ctx, topic, 'unknown serial', 'unknown_device');
      return undefined;
    }
    return handle(ctx, handlers, parsed.kind, {
      topic,
      entry,
      envelope: envelope.value,
      payload,
      now: receivedAt,
    });
  });
}

/** ingest(), a failure counted and logged as a failed write: the message is dropped, the device's queue goes on. */
export function ingestSafely(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  topic: string,
  parsed: ParsedDeviceTopic,
  payload: Buffer,
  receivedAt: number,
): Promise<void> | undefined {
  try {
    return ingest(ctx, handlers, topic, parsed, payload, receivedAt)?.catch((error: unknown) =>
      failed(ctx, topic, parsed.serial, error),
    );
  } catch (error) {
    failed(ctx, topic, parsed.serial, error);
    return undefined;
  }
}

function failed(ctx: BridgeContext, topic: string, serial: string, error: unknown): void {
  bridgeLogs.writeFailed(serial, error);
  drop(ctx, topic, error instanceof Error ? error.message : String(error), 'write_failed');
}

// No closure is made per message on the synchronous path: under tsx every named closure also costs a
// defineProperty call (its `name`), which the profile of issue #21 showed at several percent.

/** Runs the kind's handler; a promise only when the handler has asynchronous work (a write). */
function handle(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  kind: DeviceTopicKind,
  message: DeviceMessage,
): Promise<void> | undefined {
  ctx.events.emit('deviceMessage', message.entry, kind, message.now);
  const outcome = handlers[kind]?.(message);
  if (outcome instanceof Promise) return outcome.then((result) => accepted(ctx, kind, message, result));
  accepted(ctx, kind, message, outcome);
  return undefined;
}

function accepted(
  ctx: BridgeContext,
  kind: DeviceTopicKind,
  message: DeviceMessage,
  result: 'dropped' | undefined,
): void {
  if (result === 'dropped') return;
  ctx.stats.processed++;
  ctx.events.emit('messageAccepted', message.entry, kind, message.envelope, message.now);
}
