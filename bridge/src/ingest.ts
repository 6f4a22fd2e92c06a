import {
  type AckPayload,
  ackPayloadSchema,
  decodePayload,
  heartbeatPayloadSchema,
  type LogPayload,
  logPayloadSchema,
  type ParsedDeviceTopic,
  type StatusPayload,
  statusPayloadFor,
  statusPayloadSchema,
} from '@esp32cloud/protocol';
import { type DocumentData, type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { z } from 'zod';
import type { BridgeConfig } from './config.ts';
import type { DeviceDirectory, DeviceEntry } from './device-directory.ts';
import type { UsageAggregator } from './features/usage.ts';
import { bridgeLogs } from './logs.ts';
import { withRetry } from './retry.ts';

// What one validated device message does to Firestore. Coalescing lives here: the directory remembers what
// was last written, so unchanged telemetry costs no write and heartbeats refresh last_seen once per window.

export interface IngestStats {
  received: number;
  processed: number;
  dropped: number;
  droppedBy: Record<string, number>;
  writes: number;
  acks: number;
  timeouts: number;
  republished: number;
}

export interface IngestContext {
  db: Firestore;
  config: BridgeConfig;
  directory: DeviceDirectory;
  stats: IngestStats;
  usage: UsageAggregator;
  /** Called when a device answers a command (stops its timeout). */
  answered(serial: string, commandId: string): void;
  /** Republish a status to a linked user's topic (QoS 0, retained). */
  republish(uid: string, serial: string, status: StatusPayload): void;
  now(): number;
}

export function emptyStats(): IngestStats {
  return {
    received: 0,
    processed: 0,
    dropped: 0,
    droppedBy: {},
    writes: 0,
    acks: 0,
    timeouts: 0,
    republished: 0,
  };
}

export function drop(ctx: IngestContext, topic: string, reason: string, category: string): void {
  ctx.stats.dropped++;
  ctx.stats.droppedBy[category] = (ctx.stats.droppedBy[category] ?? 0) + 1;
  bridgeLogs.messageDropped(topic, reason);
}

async function write(ctx: IngestContext, entry: DeviceEntry, fields: DocumentData): Promise<void> {
  ctx.stats.writes++;
  await withRetry(() => ctx.db.collection('devices').doc(entry.deviceId).update(fields));
}

const logWindows = new WeakMap<DeviceEntry, { start: number; count: number; warned: boolean }>();

export async function ingest(ctx: IngestContext, topic: string, parsed: ParsedDeviceTopic, payload: Buffer) {
  // Validate the envelope before touching Firestore: garbage costs no read.
  const schema: z.ZodType<unknown> = {
    status: statusPayloadSchema,
    heartbeat: heartbeatPayloadSchema,
    ack: ackPayloadSchema,
    logs: logPayloadSchema,
  }[parsed.kind];
  const envelope = decodePayload(schema, payload);
  if (!envelope.ok) return drop(ctx, topic, envelope.error, 'invalid');

  const now = ctx.now();
  const entry = await ctx.directory.lookup(parsed.serial, now);
  if (!entry) {
    bridgeLogs.deviceUnknown(parsed.serial);
    return drop(ctx, topic, 'unknown serial', 'unknown_device');
  }

  ctx.usage.count(
    entry.deviceId,
    now,
    ({ status: 'statuses', heartbeat: 'heartbeats', ack: 'acks', logs: 'logs' } as const)[parsed.kind],
  );
  switch (parsed.kind) {
    case 'status': {
      const status = decodePayload(statusPayloadFor(entry.type), payload);
      if (!status.ok) return drop(ctx, topic, status.error, 'invalid');
      await onStatus(ctx, entry, status.value, now);
      for (const uid of entry.users) ctx.republish(uid, entry.serial, status.value);
      break;
    }
    case 'heartbeat':
      entry.lastHeardAt = now;
      await touch(ctx, entry, now, {});
      break;
    case 'ack':
      entry.lastHeardAt = now;
      ctx.answered(entry.serial, (envelope.value as AckPayload).id);
      await onAck(ctx, entry, envelope.value as AckPayload, now);
      break;
    case 'logs':
      entry.lastHeardAt = now;
      await onLog(ctx, entry, envelope.value as LogPayload, now);
      break;
  }
  ctx.stats.processed++;
}

/** Writes `changes` plus last_seen when there are changes or the last_seen window has passed. */
async function touch(
  ctx: IngestContext,
  entry: DeviceEntry,
  now: number,
  changes: DocumentData,
): Promise<void> {
  if (entry.written.online !== true) {
    changes['state.online'] = true;
    if (entry.status === 'registered') {
      changes.status = 'active';
      entry.status = 'active';
    }
    bridgeLogs.markedOnline(entry.deviceId);
  }
  const due = now - entry.written.lastSeenAt >= ctx.config.lastSeenWindowMs;
  if (Object.keys(changes).length === 0 && !due) return;
  changes['state.last_seen'] = Timestamp.fromMillis(now);
  await write(ctx, entry, changes);
  entry.written.online = true;
  entry.written.lastSeenAt = now;
}

async function onStatus(ctx: IngestContext, entry: DeviceEntry, status: StatusPayload, now: number) {
  entry.lastHeardAt = now;
  if (status.update_interval) entry.updateIntervalSeconds = status.update_interval;
  if (!status.online) {
    if (entry.written.online === false) return;
    await write(ctx, entry, { 'state.online': false });
    entry.written.online = false;
    bridgeLogs.markedOffline(entry.deviceId, 'last_will');
    return;
  }
  const changes: DocumentData = {};
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status.outputs ?? {})) {
    if (entry.written.outputs[key] !== value) {
      changes[`state.outputs.${key}`] = value;
      outputs[key] = value;
    }
  }
  const readingsChanged =
    status.readings !== undefined &&
    Object.entries(status.readings).some(([k, v]) => entry.written.readings[k] !== v);
  const readingsDue =
    now - entry.written.readingsAt >= ctx.config.readingsWindowMs || entry.written.online !== true;
  if (readingsChanged && readingsDue && status.readings) changes['state.readings'] = status.readings;
  if (status.firmware !== undefined && status.firmware !== entry.written.firmware)
    changes['state.firmware'] = status.firmware;
  if (Object.keys(changes).length > 0 && status.rssi !== undefined) changes['state.rssi'] = status.rssi;
  if (Object.keys(outputs).length > 0) ctx.usage.count(entry.deviceId, now, 'state_changes');
  await touch(ctx, entry, now, changes);
  Object.assign(entry.written.outputs, outputs);
  if (changes['state.readings']) {
    entry.written.readings = { ...status.readings };
    entry.written.readingsAt = now;
  }
  if (changes['state.firmware']) entry.written.firmware = status.firmware ?? null;
}

async function onAck(ctx: IngestContext, entry: DeviceEntry, ack: AckPayload, now: number): Promise<void> {
  const ref = ctx.db.collection('devices').doc(entry.deviceId).collection('commands').doc(ack.id);
  const snapshot = await withRetry(() => ref.get());
  if (!snapshot.exists) {
    bridgeLogs.ackForUnknownCommand(entry.deviceId, ack.id);
  } else if (snapshot.get('status') === 'acked') {
    // A redelivered ack: already recorded.
  } else {
    ctx.stats.writes++;
    ctx.stats.acks++;
    const update = ack.ok
      ? { status: 'acked', result: ack.result ?? null, acked_at: Timestamp.fromMillis(now) }
      : { status: 'failed', error: ack.error, acked_at: Timestamp.fromMillis(now) };
    await withRetry(() => ref.update(update));
  }
  // The state after obeying is written at once: this is what the dashboard is waiting for.
  const changes: DocumentData = {};
  for (const [key, value] of Object.entries(ack.state?.outputs ?? {})) {
    if (entry.written.outputs[key] !== value) changes[`state.outputs.${key}`] = value;
  }
  await touch(ctx, entry, now, changes);
  Object.assign(entry.written.outputs, ack.state?.outputs ?? {});
}

async function onLog(ctx: IngestContext, entry: DeviceEntry, log: LogPayload, now: number): Promise<void> {
  const window = logWindows.get(entry) ?? { start: now, count: 0, warned: false };
  if (now - window.start >= 60_000) Object.assign(window, { start: now, count: 0, warned: false });
  window.count++;
  logWindows.set(entry, window);
  if (window.count > ctx.config.logsPerDevicePerMinute) {
    if (!window.warned) bridgeLogs.logsThrottled(entry.deviceId);
    window.warned = true;
    ctx.stats.droppedBy.throttled = (ctx.stats.droppedBy.throttled ?? 0) + 1;
    return;
  }
  ctx.stats.writes++;
  await ctx.db
    .collection('devices')
    .doc(entry.deviceId)
    .collection('logs')
    .add({
      serial_number: entry.serial,
      level: log.level,
      message: log.message,
      fields: log.fields ?? null,
      device_ts: log.ts ?? null,
      received_at: Timestamp.fromMillis(now),
    });
}

/** Heartbeat timeout: a device silent for factor × its update interval is marked offline. */
export async function markSilentDevicesOffline(ctx: IngestContext, entries: DeviceEntry[]): Promise<void> {
  const now = ctx.now();
  for (const entry of entries) {
    if (entry.written.online !== true) continue;
    const limit = ctx.config.heartbeatTimeoutFactor * entry.updateIntervalSeconds * ctx.config.msPerSecond;
    if (now - entry.lastHeardAt <= limit) continue;
    await write(ctx, entry, { 'state.online': false });
    entry.written.online = false;
    bridgeLogs.markedOffline(entry.deviceId, 'heartbeat_timeout');
  }
}
