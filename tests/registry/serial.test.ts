import {
  CLAIM_CODE_LENGTH,
  computeCheckCharacter,
  deviceNameSchema,
  formatClaimCode,
  graphemeCount,
  isClaimCodeFormat,
  isDeviceId,
  makeSerial,
  normalizeClaimCode,
  parseSetupQuery,
  randomClaimCode,
  randomDeviceId,
  randomSerial,
  SERIAL_CHECK_ALPHABET,
  SERIAL_PREFIX,
  setupUrl,
  validateSerial,
} from '@esp32cloud/protocol';
import { describe, expect, it } from 'vitest';

// The identity printed on each unit: serial check letter, device ids, claim codes, setup links, names.

function digitsOf(serial: string): string {
  return serial.slice(SERIAL_PREFIX.length, -1);
}

describe('serial numbers', () => {
  it('accepts generated serials, normalizing case, spaces and dashes', () => {
    for (let i = 0; i < 200; i++) {
      const serial = randomSerial();
      expect(validateSerial(serial)).toEqual({ ok: true, serial });
      const typed = `${serial.slice(0, 5).toLowerCase()} ${serial.slice(5, 9)}-${serial.slice(9).toLowerCase()}`;
      expect(validateSerial(typed)).toEqual({ ok: true, serial });
    }
  });

  it('catches every single-digit typo and every transposition of two digits', () => {
    for (let n = 0; n < 300; n++) {
      const serial = randomSerial();
      const digits = digitsOf(serial);
      const check = serial.slice(-1);
      for (let i = 0; i < digits.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === digits[i]) continue;
          const typo = `${SERIAL_PREFIX}${digits.slice(0, i)}${d}${digits.slice(i + 1)}${check}`;
          expect(validateSerial(typo)).toMatchObject({ ok: false, problem: 'check_character' });
        }
        for (let j = i + 1; j < digits.length; j++) {
          if (digits[i] === digits[j]) continue;
          const swapped = digits.split('');
          [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
          const typo = `${SERIAL_PREFIX}${swapped.join('')}${check}`;
          expect(validateSerial(typo)).toMatchObject({ ok: false, problem: 'check_character' });
        }
      }
    }
  });

  it('catches a wrong check letter and a swap of the last digit with it', () => {
    const serial = makeSerial('00012345');
    for (const letter of SERIAL_CHECK_ALPHABET) {
      if (letter === serial.slice(-1)) continue;
      expect(validateSerial(serial.slice(0, -1) + letter).ok).toBe(false);
    }
    const swapped = `${serial.slice(0, -2)}${serial.slice(-1)}${serial.slice(-2, -1)}`;
    expect(validateSerial(swapped)).toMatchObject({ ok: false, problem: 'format' });
  });

  it('rejects malformed input as a format problem', () => {
    for (const bad of [
      '',
      'ESP32001234',
      'ESP32ABCDEFGHK',
      'ESP3200012345KK',
      'XSP3200012345K',
      'ESP3200012345I',
    ]) {
      expect(validateSerial(bad)).toMatchObject({ ok: false, problem: 'format' });
    }
  });

  it('computes the check letter from the digits only', () => {
    expect(makeSerial(12345)).toBe(`ESP3200012345${computeCheckCharacter('00012345')}`);
    expect(() => computeCheckCharacter('123')).toThrow();
  });
});

describe('device ids and claim codes', () => {
  it('makes ESP32_XXXXXX device ids', () => {
    for (let i = 0; i < 50; i++) expect(isDeviceId(randomDeviceId())).toBe(true);
    expect(isDeviceId('ESP32_aa5510')).toBe(false);
    expect(isDeviceId('ESP32_AA5510')).toBe(true);
  });

  it('makes claim codes people can type back', () => {
    const code = randomClaimCode();
    expect(code).toHaveLength(CLAIM_CODE_LENGTH);
    expect(isClaimCodeFormat(code)).toBe(true);
    expect(normalizeClaimCode(formatClaimCode(code).toLowerCase())).toBe(code);
    expect(normalizeClaimCode('ol-io')).toBe('0110');
    expect(isClaimCodeFormat('short')).toBe(false);
  });

  it('builds and parses the setup link of the QR code', () => {
    const url = setupUrl('https://app.example.com', {
      serial: 'ESP3200012345K',
      claimCode: 'ABCDE12345',
      type: '4Relay',
    });
    expect(url).toBe('https://app.example.com/setup?sn=ESP3200012345K&c=ABCDE12345&type=4Relay');
    expect(parseSetupQuery(new URL(url).search)).toEqual({
      serial: 'ESP3200012345K',
      claimCode: 'ABCDE12345',
      type: '4Relay',
    });
  });
});

describe('device names', () => {
  it('accepts any script, trims and counts graphemes', () => {
    expect(deviceNameSchema.parse('  ห้องนั่งเล่น ')).toBe('ห้องนั่งเล่น');
    expect(graphemeCount('ห้องนั่งเล่น')).toBeLessThan('ห้องนั่งเล่น'.length);
    const family = '👨‍👩‍👧‍👦';
    expect(deviceNameSchema.parse(family.repeat(10))).toBe(family.repeat(10));
    // 64 family emoji are 64 characters but 1,600 bytes: the byte bound catches them.
    expect(deviceNameSchema.safeParse(family.repeat(64)).success).toBe(false);
    // ห้อง is 4 code points but 3 characters: 21 × 3 = 63 fits, 22 × 3 = 66 does not.
    expect(deviceNameSchema.safeParse('ห้อง'.repeat(21)).success).toBe(true);
    expect(deviceNameSchema.safeParse('ห้อง'.repeat(22)).success).toBe(false);
    expect(deviceNameSchema.safeParse('a'.repeat(64)).success).toBe(true);
    expect(deviceNameSchema.safeParse('a'.repeat(65)).success).toBe(false);
  });

  it('rejects empty names, control characters and bidi overrides', () => {
    for (const bad of ['', '   ', 'a\nb', 'tab\there', 'nul\u0000', 'evil\u202Egnp.exe', 'del\u007f']) {
      expect(deviceNameSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
