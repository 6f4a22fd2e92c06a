import { z } from 'zod';
import { unicodeNameSchema } from './api.ts';
import type { DeviceType } from './catalogue.ts';

// Rooms: an owner puts each device in a room (docs/DATA_MODEL.md, "Rooms"). The room is a field of the device
// document, so every linked user (owner, controller, viewer) reads the owner's room with the device itself:
// no second listener, no extra rule.

export const ROOM_NAME_MAX_GRAPHEMES = 40;
export const ROOM_NAME_MAX_BYTES = 320;

/** Any Unicode, NFC-normalized and trimmed; 1–40 characters; no control characters (as device names). */
export const roomNameSchema = unicodeNameSchema('room', ROOM_NAME_MAX_GRAPHEMES, ROOM_NAME_MAX_BYTES);

// ---- PUT /api/devices/{deviceId}/room (owner) -----------------------------------------------------------------

/** `room: null` takes the device out of its room. */
export const setRoomBodySchema = z.strictObject({ room: roomNameSchema.nullable() });

export interface SetRoomResponse {
  device_id: string;
  room: string | null;
}

// ---- POST /api/rooms/off {room} -----------------------------------------------------------------------------

export const roomOffBodySchema = z.strictObject({ room: roomNameSchema });

/**
 * One device's result of "all off in this room": `sent` (its command is on its way; follow `command_id` through
 * the command lifecycle), `offline` (not sent: it would be lost), `no_outputs` (a sensor), `not_allowed`
 * (a viewer's link), `read_only` (over the owner's plan device limit, docs/BILLING.md), `failed` (the broker
 * refused; `error` says why).
 */
export type RoomOffResult = 'sent' | 'offline' | 'no_outputs' | 'not_allowed' | 'read_only' | 'failed';

export interface RoomOffDevice {
  device_id: string;
  device_name: string;
  result: RoomOffResult;
  command_id?: string;
  error?: string;
}

export interface RoomOffResponse {
  room: string;
  devices: RoomOffDevice[];
}

/** Most devices one "all off" may address; a bigger room is refused rather than half switched. */
export const ROOM_OFF_MAX_DEVICES = 200;

/** The one command that switches every output of a type off, or null for a type with none (a sensor). */
export function allOffCommand(type: DeviceType): { command: string; state: 'off' } | null {
  if (type === '4Relay') return { command: 'all', state: 'off' };
  if (type === 'LED') return { command: 'led', state: 'off' };
  return null;
}

/** Rooms sort in the reader's language (Thai first); the same order on every page. */
export function compareRooms(a: string, b: string, locale = 'th'): number {
  return a.localeCompare(b, locale);
}
