import { DEVICE_TYPES, type DeviceType } from '@esp32cloud/protocol';
import type { DeviceLink, DeviceRecord } from '../devices/types.ts';

export type OnlineFilter = 'all' | 'online' | 'offline';

export interface DeviceFilter {
  text: string;
  type: DeviceType | 'all';
  online: OnlineFilter;
}

export const NO_FILTER: DeviceFilter = { text: '', type: 'all', online: 'all' };

function normalize(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase().trim();
}

/** Whether a device passes the grid's search (name, serial or id) and filters (type, online). */
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
  const needle = normalize(filter.text);
  if (!needle) return true;
  return [link.name, link.deviceId, device?.serialNumber ?? ''].some((hay) =>
    normalize(hay).includes(needle),
  );
}

export function isDeviceTypeFilter(value: string): value is DeviceType | 'all' {
  return value === 'all' || (DEVICE_TYPES as readonly string[]).includes(value);
}
