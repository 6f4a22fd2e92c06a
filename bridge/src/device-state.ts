import { firestorePaths } from '@esp32cloud/protocol';
import { type DocumentData, Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext } from './context.ts';
import type { DeviceEntry } from './device-directory.ts';
import { bridgeLogs } from './logs.ts';

// The one writer of devices/{id}.state: coalesced through the directory's memory of what was last written,
// so unchanged telemetry costs no write and a heartbeat refreshes last_seen once per window.

export async function writeDevice(
  ctx: BridgeContext,
  entry: DeviceEntry,
  fields: DocumentData,
): Promise<void> {
  ctx.stats.writes++;
  await ctx.writer.update(firestorePaths.device(entry.deviceId), fields);
}

/**
 * Writes `changes` plus last_seen when there are changes or the last_seen window has passed. Returns a promise
 * only when it writes: an unchanged message is handled without one (issue #21).
 */
export function touchDevice(
  ctx: BridgeContext,
  entry: DeviceEntry,
  now: number,
  changes: DocumentData,
): Promise<void> | undefined {
  if (entry.written.online !== true) {
    changes['state.online'] = true;
    if (entry.status === 'registered') {
      changes.status = 'active';
      entry.status = 'active';
    }
    bridgeLogs.markedOnline(entry.deviceId);
  }
  const due = now - entry.written.lastSeenAt >= ctx.config.lastSeenWindowMs;
  if (!due && isEmpty(changes)) return undefined;
  changes['state.last_seen'] = Timestamp.fromMillis(now);
  return writeDevice(ctx, entry, changes).then(() => {
    const previous = entry.written.online;
    entry.written.online = true;
    entry.written.lastSeenAt = now;
    if (previous !== true) ctx.events.emit('presenceChanged', entry, true, previous, now);
  });
}

export function isEmpty(fields: DocumentData): boolean {
  for (const _ in fields) return false;
  return true;
}

/**
 * Writes state.online = false (callers decide when: a last will, or the heartbeat timeout) with last_seen set
 * to the exact time the device was last heard, so a coarse last_seen while online costs nothing in honesty.
 */
export async function markOffline(
  ctx: BridgeContext,
  entry: DeviceEntry,
  reason: 'last_will' | 'heartbeat_timeout',
): Promise<void> {
  const lastHeard = entry.lastHeardAt > 0 ? entry.lastHeardAt : ctx.now();
  await writeDevice(ctx, entry, {
    'state.online': false,
    'state.last_seen': Timestamp.fromMillis(lastHeard),
  });
  entry.written.lastSeenAt = lastHeard;
  const previous = entry.written.online;
  entry.written.online = false;
  bridgeLogs.markedOffline(entry.deviceId, reason);
  ctx.events.emit('presenceChanged', entry, false, previous, ctx.now());
}
