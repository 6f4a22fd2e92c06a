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
import type { DeviceEntry } from './device-directory.ts';
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

/** A device message as it came off the socket, for its device's queue. */
export interface IncomingMessage {
  topic: string;
  parsed: ParsedDeviceTopic;
  payload: Buffer;
  /** When the message reached the bridge: a device's "last heard" is then, not when its queue got to it. */
  receivedAt: number;
}

/** Handles one message; a failure is counted and logged as a failed write (the message is dropped). */
export function ingestSafely(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  incoming: IncomingMessage,
): Promise<void> | undefined {
  try {
    return ingest(ctx, handlers, incoming)?.catch((error: unknown) => failed(ctx, incoming, error));
  } catch (error) {
    failed(ctx, incoming, error);
    return undefined;
  }
}

function failed(ctx: BridgeContext, incoming: IncomingMessage, error: unknown): void {
  bridgeLogs.writeFailed(incoming.parsed.serial, error);
  drop(ctx, incoming.topic, error instanceof Error ? error.message : String(error), 'write_failed');
}

function ingest(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  incoming: IncomingMessage,
): Promise<void> | undefined {
  const { parsed, receivedAt } = incoming;
  const envelope = decodePayload(ENVELOPES[parsed.kind], incoming.payload);
  if (!envelope.ok) {
    drop(ctx, incoming.topic, envelope.error, 'invalid');
    return undefined;
  }
  const cached = ctx.directory.cached(parsed.serial, receivedAt);
  if (cached) return handle(ctx, handlers, incoming, cached, envelope.value);
  return withRetry(() => ctx.directory.lookup(parsed.serial, receivedAt)).then((entry) => {
    if (!entry) {
      bridgeLogs.deviceUnknown(parsed.serial);
      drop(ctx, incoming.topic, 'unknown serial', 'unknown_device');
      return undefined;
    }
    return handle(ctx, handlers, incoming, entry, envelope.value);
  });
}

// No closure is made per message on the synchronous path: under tsx every named closure also costs a
// defineProperty call (its `name`), which the profile of issue #21 showed at several percent.

/** Runs the kind's handler; a promise only when the handler has asynchronous work (a write). */
function handle(
  ctx: BridgeContext,
  handlers: Partial<Record<DeviceTopicKind, DeviceMessageHandler>>,
  incoming: IncomingMessage,
  entry: DeviceEntry,
  envelope: unknown,
): Promise<void> | undefined {
  const kind = incoming.parsed.kind;
  const { topic, payload, receivedAt: now } = incoming;
  const message: DeviceMessage = { topic, entry, envelope, payload, now };
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
