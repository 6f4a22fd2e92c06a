import {
  allOffCommand,
  PLAN_LIMIT_ERROR,
  parseCommand,
  ROOM_OFF_MAX_DEVICES,
  type RoomOffDevice,
  type RoomOffResponse,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { RelayUnavailableError } from '../commands/relay-instance.ts';
import { newCommandId, sendToDevice } from '../commands/send.ts';
import type { DeviceAccess } from '../devices/access.ts';
import { ApiError } from '../http/errors.ts';
import { logs } from '../logs.ts';
import { requireWritableDevice } from '../plans/enforce.ts';
import { type DeviceDoc, refs, type UserDeviceDoc } from '../shared/documents.ts';

// Rooms (docs/DATA_MODEL.md, "Rooms"): the owner's room is a field of the device document, so every linked
// user reads it with the device. "All off in this room" switches off, for the caller, every device of that
// room they may control, each through the one command path, and answers per device.

/** How many devices are switched at once: enough to be quick, few enough to keep the relay's queue short. */
const PARALLEL = 8;

export async function setRoom(db: Firestore, deviceId: string, room: string | null): Promise<void> {
  await refs(db).device(deviceId).update({ room });
}

export function requireOwner(access: DeviceAccess): void {
  if (access.accessLevel !== 'owner') {
    throw new ApiError(403, 'permission_denied', "Only the device's owner may choose its room.");
  }
}

async function switchOff(
  db: Firestore,
  uid: string,
  link: UserDeviceDoc,
  device: DeviceDoc,
): Promise<RoomOffDevice> {
  const base = { device_id: link.device_id, device_name: link.device_name };
  if (link.access_level === 'viewer') return { ...base, result: 'not_allowed' };
  const body = allOffCommand(device.device_type);
  if (!body) return { ...base, result: 'no_outputs' };
  if (device.state?.online !== true) return { ...base, result: 'offline' };
  const parsed = parseCommand(device.device_type, body);
  if (!parsed.ok) return { ...base, result: 'failed', error: parsed.error };
  try {
    await requireWritableDevice(db, device);
  } catch (error) {
    if (error instanceof ApiError && error.code === PLAN_LIMIT_ERROR) return { ...base, result: 'read_only' };
    throw error;
  }
  try {
    const sent = await sendToDevice(db, link.device_id, device, parsed.value, uid, newCommandId());
    return { ...base, result: 'sent', command_id: sent.commandId };
  } catch (error) {
    const code = error instanceof RelayUnavailableError ? 'broker_unavailable' : 'internal';
    return { ...base, result: 'failed', error: code };
  }
}

export async function roomOff(db: Firestore, uid: string, room: string): Promise<RoomOffResponse> {
  const r = refs(db);
  const links = (await r.linksFor(uid).get()).docs.map((doc) => doc.data() as UserDeviceDoc);
  const devices = links.length ? await db.getAll(...links.map((link) => r.device(link.device_id))) : [];
  const inRoom: Array<{ link: UserDeviceDoc; device: DeviceDoc }> = [];
  devices.forEach((snap, i) => {
    const device = snap.data() as DeviceDoc | undefined;
    if (device && device.room === room) inRoom.push({ link: links[i]!, device });
  });
  if (inRoom.length === 0) {
    throw new ApiError(404, 'room_not_found', `None of your devices is in the room "${room}".`);
  }
  if (inRoom.length > ROOM_OFF_MAX_DEVICES) {
    throw new ApiError(
      400,
      'room_too_large',
      `The room has ${inRoom.length} devices; all off works for up to ${ROOM_OFF_MAX_DEVICES}.`,
    );
  }
  const results: RoomOffDevice[] = [];
  for (let i = 0; i < inRoom.length; i += PARALLEL) {
    const slice = inRoom.slice(i, i + PARALLEL);
    results.push(...(await Promise.all(slice.map(({ link, device }) => switchOff(db, uid, link, device)))));
  }
  logs.roomOff(uid, results.length, results.filter((d) => d.result === 'sent').length);
  return { room, devices: results };
}
