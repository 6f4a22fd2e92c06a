import { compareRooms, DEVICE_TYPES, type DeviceType } from '@esp32cloud/protocol';
import type { DeviceLink, DeviceRecord } from '../devices/types.ts';
import { compareNames } from '../lib/collate.ts';

export type OnlineFilter = 'all' | 'online' | 'offline';
export const SORT_KEYS = ['name', 'room', 'type', 'status', 'lastSeen'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** `room`: 'all', NO_ROOM (devices in no room) or a room's name. */
export interface DeviceFilter {
  text: string;
  type: DeviceType | 'all';
  online: OnlineFilter;
  room: string;
  sort: SortKey;
}

/** The room filter's value for "not in a room" (a room name is never empty, so this cannot clash). */
export const NO_ROOM = '';
export const ALL_ROOMS = 'all';

export const NO_FILTER: DeviceFilter = {
  text: '',
  type: 'all',
  online: 'all',
  room: ALL_ROOMS,
  sort: 'name',
};

function normalize(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase().trim();
}

/** Whether a device passes the grid's search (name, serial, id or room) and filters (type, online, room). */
export function matchesFilter(
  link: DeviceLink,
  device: DeviceRecord | null | undefined,
  filter: DeviceFilter,
): boolean {
  if (filter.type !== 'all' && device?.type !== filter.type) return false;
  if (filter.online !== 'all') {
    const online = device?.state.online === true;
    if (online !== (filter.online === 'online')) return false;
  }
  if (filter.room !== ALL_ROOMS && (device?.room ?? NO_ROOM) !== filter.room) return false;
  const needle = normalize(filter.text);
  if (!needle) return true;
  return [link.name, link.deviceId, device?.serialNumber ?? '', device?.room ?? ''].some((hay) =>
    normalize(hay).includes(needle),
  );
}

type Entry = { link: DeviceLink; device: DeviceRecord | null | undefined };

const byName = (a: Entry, b: Entry) =>
  compareNames(a.link.name, b.link.name) || a.link.deviceId.localeCompare(b.link.deviceId);

const COMPARE: Record<SortKey, (a: Entry, b: Entry) => number> = {
  name: () => 0,
  // Devices in no room last.
  room: (a, b) => {
    const ra = a.device?.room ?? null;
    const rb = b.device?.room ?? null;
    if (ra === rb) return 0;
    if (ra === null) return 1;
    if (rb === null) return -1;
    return compareRooms(ra, rb);
  },
  type: (a, b) => (a.device?.type ?? '').localeCompare(b.device?.type ?? ''),
  // Offline first: those are the ones needing attention.
  status: (a, b) => Number(a.device?.state.online === true) - Number(b.device?.state.online === true),
  // Most recently seen first; never seen last.
  lastSeen: (a, b) =>
    (b.device?.state.lastSeen?.getTime() ?? -1) - (a.device?.state.lastSeen?.getTime() ?? -1),
};

/** The entries in the chosen order, ties by name (the links arrive sorted by name already). */
export function sortEntries(entries: Entry[], sort: SortKey): Entry[] {
  if (sort === 'name') return entries;
  return entries.slice().sort((a, b) => COMPARE[sort](a, b) || byName(a, b));
}

/** Every room of the user's devices, in the reader's order. */
export function roomsOf(devices: Array<DeviceRecord | null | undefined>): string[] {
  const rooms = new Set<string>();
  for (const device of devices) if (device?.room) rooms.add(device.room);
  return [...rooms].sort((a, b) => compareRooms(a, b));
}

export function isDeviceTypeFilter(value: string): value is DeviceType | 'all' {
  return value === 'all' || (DEVICE_TYPES as readonly string[]).includes(value);
}

export function isSortKey(value: string): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value);
}
