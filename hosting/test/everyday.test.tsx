// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  ALL_ROOMS,
  matchesFilter,
  NO_FILTER,
  NO_ROOM,
  roomsOf,
  sortEntries,
} from '../src/dashboard/filter.ts';
import { decodeDevice } from '../src/devices/decode.ts';
import type { DeviceLink } from '../src/devices/types.ts';
import { dateText, dateTimeText, numberText, relativeTime } from '../src/i18n/format.ts';

describe('formatting (one module, Intl)', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('writes relative times in Thai and English', () => {
    expect(relativeTime(new Date(now - 2 * 60_000), now, 'en')).toBe('2 minutes ago');
    expect(relativeTime(new Date(now - 2 * 60_000), now, 'th')).toBe('2 นาทีที่ผ่านมา');
    expect(relativeTime(new Date(now - 3 * 86_400_000), now, 'en')).toBe('3 days ago');
    expect(relativeTime(new Date(now - 90 * 86_400_000), now, 'en')).toBe('3 months ago');
    expect(relativeTime(new Date(now), now, 'en')).toBe('now');
  });

  it('writes Thai dates in the Buddhist era, English ones in the Gregorian calendar', () => {
    const date = new Date('2026-12-02T03:04:00Z');
    expect(dateText(date, 'th')).toContain('2569');
    expect(dateText(date, 'th')).toContain('ธันวาคม');
    expect(dateText(date, 'en')).toContain('2026');
    expect(dateTimeText(date, 'th')).toContain('2569');
    expect(numberText(1234.5, 1, 'en')).toBe('1,234.5');
  });
});

describe('rooms on the dashboard', () => {
  const link = (id: string, name: string): DeviceLink => ({ deviceId: id, name, access: 'owner' });
  const device = (id: string, room: string | null, online: boolean, seenMinutesAgo: number) =>
    decodeDevice(id, {
      device_type: '4Relay',
      room,
      state: { online, last_seen: new Date(Date.now() - seenMinutesAgo * 60_000).toISOString() },
    });
  const entries = [
    { link: link('A', 'โคมไฟ'), device: device('A', 'ห้องนั่งเล่น', true, 5) },
    { link: link('B', 'พัดลม'), device: device('B', 'ห้องครัว', false, 1) },
    { link: link('C', 'ปั๊มน้ำ'), device: device('C', null, true, 60) },
  ];

  it('filters by room, by "in no room", and finds a device by its room', () => {
    const pass = (room: string, text = '') =>
      entries
        .filter((e) => matchesFilter(e.link, e.device, { ...NO_FILTER, room, text }))
        .map((e) => e.link.deviceId);
    expect(pass(ALL_ROOMS)).toEqual(['A', 'B', 'C']);
    expect(pass('ห้องครัว')).toEqual(['B']);
    expect(pass(NO_ROOM)).toEqual(['C']);
    expect(pass(ALL_ROOMS, 'นั่งเล่น')).toEqual(['A']);
  });

  it('sorts by room (none last), status (offline first) and last seen (newest first)', () => {
    const order = (sort: Parameters<typeof sortEntries>[1]) =>
      sortEntries(entries, sort).map((e) => e.link.deviceId);
    expect(order('room')).toEqual(['B', 'A', 'C']);
    // Ties by name in Thai order: โคมไฟ (ค) before ปั๊มน้ำ (ป), leading vowels aside.
    expect(order('status')).toEqual(['B', 'A', 'C']);
    expect(order('lastSeen')).toEqual(['B', 'A', 'C']);
    expect(roomsOf(entries.map((e) => e.device))).toEqual(['ห้องครัว', 'ห้องนั่งเล่น']);
  });
});
