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
    const { outputs: _outputs, readings: _readings, ...rest } = reported;
    const status: StatusPayload = { ...rest, ...state.value };
    const republishAll = () => {
      for (const uid of entry.users) republish(uid, entry.serial, status);
      return undefined;
    };
    // Republished once written; at once when nothing was written (no promise for an unchanged status).
    const written = writeStatus(ctx, entry, status, now);
    return written ? written.then(republishAll) : republishAll();
  };

  return { handles: { status: onStatus } };
}

function writeStatus(
  ctx: BridgeContext,
  entry: DeviceMessage['entry'],
  status: StatusPayload,
  now: number,
): Promise<void> | undefined {
  if (status.update_interval) entry.updateIntervalSeconds = status.update_interval;
  // A last will is the broker's word, not the device's: last_seen stays the device's own last message.
  if (!status.online) {
    if (entry.written.online === false) return undefined;
    return markOffline(ctx, entry, 'last_will');
  }
  entry.lastHeardAt = now;
  const changes: DocumentData = {};
  let outputs: Record<string, unknown> | null = null;
  if (status.outputs) {
    for (const key in status.outputs) {
      const value = status.outputs[key];
      if (entry.written.outputs[key] !== value) {
        changes[`state.outputs.${key}`] = value;
        outputs ??= {};
        outputs[key] = value;
      }
    }
  }
  let readingsChanged = false;
  if (status.readings) {
    for (const key in status.readings)
      if (entry.written.readings[key] !== status.readings[key]) readingsChanged = true;
  }
  const readingsDue =
    now - entry.written.readingsAt >= ctx.config.readingsWindowMs || entry.written.online !== true;
  if (readingsChanged && readingsDue && status.readings) changes['state.readings'] = status.readings;
  if (status.firmware !== undefined && status.firmware !== entry.written.firmware)
    changes['state.firmware'] = status.firmware;
  if (!isEmpty(changes) && status.rssi !== undefined) changes['state.rssi'] = status.rssi;
  if (outputs) ctx.events.emit('outputsChanged', entry, now);
  const remember = () => {
    if (outputs) Object.assign(entry.written.outputs, outputs);
    if (changes['state.readings']) {
      entry.written.readings = { ...status.readings };
      entry.written.readingsAt = now;
    }
    if (changes['state.firmware']) entry.written.firmware = status.firmware ?? null;
  };
  const written = touchDevice(ctx, entry, now, changes);
  if (!written) {
    remember();
    return undefined;
  }
  return written.then(remember);
}
