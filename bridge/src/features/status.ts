import { encodePayload, type StatusPayload, sanitizeState, topics } from '@esp32cloud/protocol';
import type { DocumentData } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature, DeviceMessage } from '../context.ts';
import { markOffline, touchDevice } from '../device-state.ts';
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

  const onStatus = async ({ entry, envelope, now }: DeviceMessage) => {
    const reported = envelope as StatusPayload;
    const state = sanitizeState(entry.type, reported);
    if (state.dropped.length > 0) bridgeLogs.fieldsDropped(entry.deviceId, 'status', state.dropped);
    const { outputs: _outputs, readings: _readings, ...rest } = reported;
    const status: StatusPayload = { ...rest, ...state.value };
    await writeStatus(ctx, entry, status, now);
    for (const uid of entry.users) republish(uid, entry.serial, status);
    return undefined;
  };

  return { handles: { status: onStatus } };
}

async function writeStatus(
  ctx: BridgeContext,
  entry: DeviceMessage['entry'],
  status: StatusPayload,
  now: number,
): Promise<void> {
  if (status.update_interval) entry.updateIntervalSeconds = status.update_interval;
  // A last will is the broker's word, not the device's: last_seen stays the device's own last message.
  if (!status.online) {
    if (entry.written.online === false) return;
    await markOffline(ctx, entry, 'last_will');
    return;
  }
  entry.lastHeardAt = now;
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
  if (Object.keys(outputs).length > 0) ctx.events.emit('outputsChanged', entry, now);
  await touchDevice(ctx, entry, now, changes);
  Object.assign(entry.written.outputs, outputs);
  if (changes['state.readings']) {
    entry.written.readings = { ...status.readings };
    entry.written.readingsAt = now;
  }
  if (changes['state.firmware']) entry.written.firmware = status.firmware ?? null;
}
