import { describe, expect, it } from 'vitest';
import { DEVICE_TYPES, parseCommand } from '../src/catalogue.ts';
import { allOffCommand, roomNameSchema, roomOffBodySchema, setRoomBodySchema } from '../src/rooms.ts';

describe('room names', () => {
  it('accepts any Unicode, NFC-normalized and trimmed', () => {
    expect(roomNameSchema.parse('  ห้องนั่งเล่น 🛋️ ')).toBe('ห้องนั่งเล่น 🛋️');
    expect(roomNameSchema.parse('Cafe\u0301')).toBe('Café');
    expect(roomNameSchema.parse('👨‍👩‍👧 ห้องครอบครัว')).toBe('👨‍👩‍👧 ห้องครอบครัว');
    // 40 Thai grapheme clusters fit although they are more code points.
    expect(roomNameSchema.safeParse('ห้'.repeat(40)).success).toBe(true);
  });

  it('refuses empty, too long, control and bidi-override names with a message naming the field', () => {
    for (const bad of ['', '   ', 'x'.repeat(41), 'a\u0000b', 'a\nb', 'left\u202eright', 'a\u2066b']) {
      const result = roomNameSchema.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^room /);
    }
  });

  it('PUT takes a name or null and nothing else; POST off takes a name', () => {
    expect(setRoomBodySchema.parse({ room: null })).toEqual({ room: null });
    expect(setRoomBodySchema.safeParse({ room: 'ห้อง', owner_uid: 'x' }).success).toBe(false);
    expect(setRoomBodySchema.safeParse({}).success).toBe(false);
    expect(roomOffBodySchema.safeParse({ room: null }).success).toBe(false);
  });
});

describe('all off', () => {
  it('is a valid catalogue command for every type with outputs, and none for a sensor', () => {
    for (const type of DEVICE_TYPES) {
      const body = allOffCommand(type);
      if (type === 'Sensor') expect(body).toBeNull();
      else {
        const parsed = parseCommand(type, body);
        expect(parsed.ok, type).toBe(true);
        if (parsed.ok) expect(Object.values(parsed.value.desiredOutputs)).not.toContain(true);
      }
    }
  });
});
