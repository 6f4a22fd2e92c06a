import { z } from 'zod';
import { type DeviceType, outputsSchema, readingsSchema, UPDATE_INTERVAL_MAX } from './catalogue.ts';
import { compiledCheck, INVALID } from './fast-validate.ts';

// MQTT payload schemas, version 1. Every payload is a JSON object with `v: 1`. Consumers ignore unknown
// top-level fields (so adding an optional field is not a breaking change) and reject any other `v`.
// Both ends validate: the device (simulator) parses control, the bridge parses everything else.

export const PROTOCOL_VERSION = 1;
/** Larger payloads are dropped unread by the bridge and the devices. */
export const MAX_PAYLOAD_BYTES = 8 * 1024;

const v1 = z.literal(PROTOCOL_VERSION);
// Bounds on every number a device sends (docs/SECURITY.md, "Device input validation"): a device's flash can be
// dumped and its credentials reused, so nothing it reports is trusted further than these.
/** Device clocks, in ms: a device without NTP counts from boot, none is past 2100. */
const timestampMs = z.number().int().nonnegative().max(4_102_444_800_000);
const rssi = z.number().int().min(-127).max(0);
/** Ten years of uptime, in seconds. */
const uptimeSeconds = z.number().int().nonnegative().max(315_360_000);
/** An ESP32 has at most a few MB of heap (PSRAM included). */
const freeHeapBytes = z
  .number()
  .int()
  .nonnegative()
  .max(32 * 1024 * 1024);
/**
 * A reported update_interval is clamped to UPDATE_INTERVAL_MAX (never refused: the rest of the status is good),
 * so a device cannot make itself never time out: the bridge's heartbeat timeout is computed from this value.
 */
export const reportedUpdateInterval = z
  .number()
  .int()
  .positive()
  .transform((seconds) => Math.min(seconds, UPDATE_INTERVAL_MAX));
const outputValue = z.union([z.boolean(), z.number().finite(), z.string().max(64)]);
const outputKey = z.string().min(1).max(64);

/** Generic status (before the device type is known); `statusPayloadFor` adds the type's outputs/readings. */
export const statusPayloadSchema = z.object({
  v: v1,
  online: z.boolean(),
  outputs: z.record(outputKey, outputValue).optional(),
  readings: z.record(outputKey, z.number()).optional(),
  firmware: z
    .string()
    .max(32)
    .regex(/^[A-Za-z0-9._+-]*$/, 'firmware: letters, digits and . _ + - only')
    .optional(),
  rssi: rssi.optional(),
  uptime_s: uptimeSeconds.optional(),
  update_interval: reportedUpdateInterval.optional(),
  ts: timestampMs.optional(),
});
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

export function statusPayloadFor(type: DeviceType) {
  return statusPayloadSchema.extend({
    outputs: outputsSchema(type).optional(),
    readings: readingsSchema(type).optional(),
  });
}

/** The last will a device registers when it connects: the broker publishes it (retained) if it vanishes. */
export const LAST_WILL_PAYLOAD: StatusPayload = { v: 1, online: false };

export const heartbeatPayloadSchema = z.object({
  v: v1,
  uptime_s: uptimeSeconds.optional(),
  rssi: rssi.optional(),
  free_heap: freeHeapBytes.optional(),
  ts: timestampMs.optional(),
});
export type HeartbeatPayload = z.infer<typeof heartbeatPayloadSchema>;

export const commandIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'command id: letters, digits, _ and - only');

/** Cloud → device. Parameters sit beside `command`; `parseCommand` (catalogue) validates them per type. */
export const controlPayloadSchema = z.looseObject({
  v: v1,
  id: commandIdSchema,
  command: z.string().min(1).max(32),
});
export type ControlPayload = z.infer<typeof controlPayloadSchema> & Record<string, unknown>;

/** Generic shape only: the bridge keeps the keys and values the device's type allows (device-input.ts). */
export const ackStateSchema = z.object({
  outputs: z.record(outputKey, outputValue).optional(),
  readings: z.record(outputKey, z.number()).optional(),
});

export const ackErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(500),
});

/** Device → cloud: the answer to control command `id`; `state` is the device's state after obeying. */
export const ackPayloadSchema = z.discriminatedUnion('ok', [
  z.object({
    v: v1,
    id: commandIdSchema,
    ok: z.literal(true),
    result: z.record(z.string(), z.unknown()).optional(),
    state: ackStateSchema.optional(),
  }),
  z.object({
    v: v1,
    id: commandIdSchema,
    ok: z.literal(false),
    error: ackErrorSchema,
    state: ackStateSchema.optional(),
  }),
]);
export type AckPayload = z.infer<typeof ackPayloadSchema>;

/**
 * Device → cloud, once after a factory reset by the button (the firmware keeps a flag in NVS until the
 * broker acknowledges it). The cloud then accepts the printed label's claim code for a short window.
 * `reset_id` is random per reset, so a QoS 1 redelivery is recognised.
 */
export const resetPayloadSchema = z.object({
  v: v1,
  kind: z.literal('factory'),
  reset_id: commandIdSchema,
  firmware: z.string().max(32).optional(),
  ts: timestampMs.optional(),
});
export type ResetPayload = z.infer<typeof resetPayloadSchema>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const logPayloadSchema = z.object({
  v: v1,
  level: z.enum(LOG_LEVELS),
  message: z.string().min(1).max(1000),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  ts: timestampMs.optional(),
});
export type LogPayload = z.infer<typeof logPayloadSchema>;

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** One decoder for every payload: a fatal decoder keeps no state between whole-buffer decode() calls. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes → JSON object, bounded by MAX_PAYLOAD_BYTES. Never throws. */
export function decodeJson(payload: Uint8Array | string): DecodeResult<unknown> {
  const size = typeof payload === 'string' ? new TextEncoder().encode(payload).length : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return { ok: false, error: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return { ok: false, error: 'payload is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
}

/** Bytes → validated payload (size, UTF-8, JSON, version, schema). Never throws. */
export function decodePayload<T>(schema: z.ZodType<T>, payload: Uint8Array | string): DecodeResult<T> {
  const json = decodeJson(payload);
  if (!json.ok) return json;
  const value = json.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'payload is not a JSON object' };
  }
  const version = (value as Record<string, unknown>).v;
  if (version !== PROTOCOL_VERSION)
    return { ok: false, error: `unsupported version ${JSON.stringify(version)}` };
  // The schema compiled (fast-validate.ts) answers valid inputs; zod itself words the error for invalid ones.
  const checked = compiledCheck(schema)(value);
  if (checked !== INVALID) return { ok: true, value: checked as T };
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const error = parsed.error.issues
      .slice(0, 3)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    return { ok: false, error };
  }
  return { ok: true, value: parsed.data };
}

export function encodePayload(value: object): string {
  return JSON.stringify(value);
}
