import { encodePayload, type StatusPayload, sanitizeState, topics } from '@esp32cloud/protocol';
import type { DocumentData } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature, DeviceMessage } from '../context.ts';
import { isEmpty, markOffline, touchDevice } from '../device-state.ts';
import { bridgeLogs } from '../logs.ts';

// Status ingest: a device's retained status (outputs, readings, firmware, rssi, or online:false as its last
// will) becomes devices/{id}.state, and is republished to each linked user's status topic. Outputs and
// online changes are written at once; readings at most once per readings window. Outputs and readings are
// kept only as far as the device's type allows (protocol device-input.ts); the rest is dropped and logged.

export function statusIngest(ctx: BridgeContext): BridgeFeature {
  const republish = (uid: string, serial: string, status: StatusPayload) => {
    ctx.stats.republished++;
    ctx.publishRetained(topics.userStatus(uid, serial), encodePayload(status));
  };

  const onStatus = ({ entry, envelope, now }: DeviceMessage) => {
    const reported = envelope as StatusPayload;
    const state = sanitizeState(entry.type, reported);
    if (state.dropped.length > 0) bridgeLogs.fieldsDropped(entry.deviceId, 'status', state.dropped);
    // Republished once written; at once when nothing was written (no promise for an unchanged status).
    const written = writeStatus(ctx, entry, reported, state.value, now);
    if (entry.users.length === 0) return written?.then(() => undefined);
    const { outputs: _outputs, readings: _readings, ...rest } = reported;
    const status: StatusPayload = { ...rest, ...state.value };
    if (written)
      return written.then(() => {
        for (const uid of entry.users) republish(uid, entry.serial, status);
        return undefined;
      });
    for (const uid of entry.users) republish(uid, entry.serial, status);
    return undefined;
  };

  return { handles: { status: onStatus } };
}

type Sanitized = ReturnType<typeof sanitizeState>['value'];

/** `reported` as the device sent it; `state` its outputs and readings as far as the device's type allows. */
function writeStatus(
  ctx: BridgeContext,
  entry: DeviceMessage['entry'],
  reported: StatusPayload,
  state: Sanitized,
  now: number,
): Promise<void> | undefined {
  if (reported.update_interval) entry.updateIntervalSeconds = reported.update_interval;
  // A last will is the broker's word, not the device's: last_seen stays the device's own last message.
  if (!reported.online) {
    if (entry.written.online === false) return undefined;
    return markOffline(ctx, entry, 'last_will');
  }
  entry.lastHeardAt = now;
  const changes: DocumentData = {};
  let outputs: Record<string, unknown> | null = null;
  if (state.outputs) {
    for (const key in state.outputs) {
      const value = state.outputs[key];
      if (entry.written.outputs[key] !== value) {
        changes[`state.outputs.${key}`] = value;
        outputs ??= {};
        outputs[key] = value;
      }
    }
  }
  let readingsChanged = false;
  if (state.readings) {
    for (const key in state.readings)
      if (entry.written.readings[key] !== state.readings[key]) readingsChanged = true;
  }
  const readingsDue =
    now - entry.written.readingsAt >= ctx.config.readingsWindowMs || entry.written.online !== true;
  if (readingsChanged && readingsDue && state.readings) changes['state.readings'] = state.readings;
  if (reported.firmware !== undefined && reported.firmware !== entry.written.firmware)
    changes['state.firmware'] = reported.firmware;
  if (!isEmpty(changes) && reported.rssi !== undefined) changes['state.rssi'] = reported.rssi;
  if (outputs) ctx.events.emit('outputsChanged', entry, now);
  const written = touchDevice(ctx, entry, now, changes);
  if (!written) {
    remember(entry, reported, state, changes, outputs, now);
    return undefined;
  }
  return written.then(() => remember(entry, reported, state, changes, outputs, now));
}

/** What was written becomes what the next message is compared with. */
function remember(
  entry: DeviceMessage['entry'],
  reported: StatusPayload,
  state: Sanitized,
  changes: DocumentData,
  outputs: Record<string, unknown> | null,
  now: number,
): void {
  if (outputs) Object.assign(entry.written.outputs, outputs);
  if (changes['state.readings']) {
    entry.written.readings = { ...state.readings };
    entry.written.readingsAt = now;
  }
  if (changes['state.firmware']) entry.written.firmware = reported.firmware ?? null;
}
