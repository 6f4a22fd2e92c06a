// Serial numbers, device ids, claim codes and setup links: the identity printed on every unit. Pure and
// browser-safe (the setup wizard validates a typed serial before any network call); randomness comes from
// Web Crypto, present in browsers and in Node 20 as globalThis.crypto.
//
// Serial: "ESP32" + 8 digits + 1 check letter, e.g. ESP3200012345K. The check letter is a weighted sum of
// the digits modulo 23 (a prime), mapped onto 23 letters. Weights are 2..9, all distinct and non-zero mod 23:
//  - one wrong digit changes the sum by w·Δ with 0 < |Δ| < 10 < 23, never 0 mod 23 → caught;
//  - swapping two digits (adjacent or not) changes it by (wᵢ − wⱼ)·(dⱼ − dᵢ), both factors non-zero and
//    smaller than 23 → caught;
//  - a wrong check letter is another letter (caught) or a letter outside the alphabet (format error);
//    swapping the last digit with the check letter puts a letter among the digits (format error).
// The letters I, O and Q are left out so a check letter is never read as 1 or 0.

export const SERIAL_PREFIX = 'ESP32';
export const SERIAL_DIGITS = 8;
export const SERIAL_CHECK_ALPHABET = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const CHECK_MODULUS = SERIAL_CHECK_ALPHABET.length; // 23, prime
const DIGIT_WEIGHTS = Array.from({ length: SERIAL_DIGITS }, (_, i) => i + 2);

/** Length of a full serial: prefix + digits + check letter. */
export const SERIAL_LENGTH = SERIAL_PREFIX.length + SERIAL_DIGITS + 1;
export const SERIAL_PATTERN = new RegExp(
  `^${SERIAL_PREFIX}[0-9]{${SERIAL_DIGITS}}[${SERIAL_CHECK_ALPHABET}]$`,
);

export type SerialProblem = 'format' | 'check_character';
export type SerialCheck =
  | { ok: true; serial: string }
  | { ok: false; problem: SerialProblem; message: string; serial: string };

/** Upper-cases and drops spaces and dashes, as people type them from a label ("esp32 0001-2345 k"). */
export function normalizeSerial(input: string): string {
  return input.replace(/[\s-]+/g, '').toUpperCase();
}

/** The check letter for the serial's digits (exactly SERIAL_DIGITS of 0-9). */
export function computeCheckCharacter(digits: string): string {
  if (!new RegExp(`^[0-9]{${SERIAL_DIGITS}}$`).test(digits)) {
    throw new Error(`a serial needs exactly ${SERIAL_DIGITS} digits, got ${JSON.stringify(digits)}`);
  }
  let sum = 0;
  for (let i = 0; i < SERIAL_DIGITS; i++) sum += DIGIT_WEIGHTS[i] * (digits.charCodeAt(i) - 48);
  return SERIAL_CHECK_ALPHABET[sum % CHECK_MODULUS];
}

/** ESP32 + digits + check letter. `digits` is zero-padded when given as a number. */
export function makeSerial(digits: string | number): string {
  const text = typeof digits === 'number' ? String(digits).padStart(SERIAL_DIGITS, '0') : digits;
  return `${SERIAL_PREFIX}${text}${computeCheckCharacter(text)}`;
}

/** Format and check letter of a serial (after normalizeSerial). Never throws. */
export function validateSerial(input: string): SerialCheck {
  const serial = normalizeSerial(input);
  if (!SERIAL_PATTERN.test(serial)) {
    return {
      ok: false,
      problem: 'format',
      serial,
      message: `A serial number is ${SERIAL_PREFIX}, ${SERIAL_DIGITS} digits and a letter, e.g. ${makeSerial(12345)}.`,
    };
  }
  const digits = serial.slice(SERIAL_PREFIX.length, SERIAL_PREFIX.length + SERIAL_DIGITS);
  if (computeCheckCharacter(digits) !== serial[serial.length - 1]) {
    return {
      ok: false,
      problem: 'check_character',
      serial,
      message: 'This serial number has a typo: its last letter does not match. Check it against the label.',
    };
  }
  return { ok: true, serial };
}

export function isValidSerial(input: string): boolean {
  return validateSerial(input).ok;
}

/** A fresh random serial (uniqueness is enforced by the registry, not assumed here). */
export function randomSerial(): string {
  let digits = '';
  while (digits.length < SERIAL_DIGITS) {
    // Bytes ≥ 250 are dropped so every digit is equally likely.
    for (const b of randomBytes(SERIAL_DIGITS))
      if (b < 250 && digits.length < SERIAL_DIGITS) digits += b % 10;
  }
  return makeSerial(digits);
}

// ---- device ids ------------------------------------------------------------------------------------------

/** Firestore document id of a device: ESP32_ + 6 upper-case hex digits (like the chip's MAC suffix). */
export const DEVICE_ID_PATTERN = /^ESP32_[0-9A-F]{6}$/;

export function isDeviceId(value: string): boolean {
  return DEVICE_ID_PATTERN.test(value);
}

export function randomDeviceId(): string {
  const hex = Array.from(randomBytes(3), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return `ESP32_${hex}`;
}

// ---- claim codes -----------------------------------------------------------------------------------------

/**
 * The secret that proves possession of a unit: 10 symbols of Crockford base32 (50 bits), printed only in the
 * QR code and on the label inside the box, shown as XXXXX-XXXXX. People may type O for 0 and I/L for 1.
 */
export const CLAIM_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CLAIM_CODE_LENGTH = 10;
const CLAIM_CODE_PATTERN = new RegExp(`^[${CLAIM_CODE_ALPHABET}]{${CLAIM_CODE_LENGTH}}$`);

export function normalizeClaimCode(input: string): string {
  return input
    .replace(/[\s-]+/g, '')
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export function isClaimCodeFormat(input: string): boolean {
  return CLAIM_CODE_PATTERN.test(normalizeClaimCode(input));
}

/** XXXXX-XXXXX for labels and screens. */
export function formatClaimCode(code: string): string {
  const normalized = normalizeClaimCode(code);
  return `${normalized.slice(0, 5)}-${normalized.slice(5)}`;
}

export function randomClaimCode(): string {
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  return Array.from(randomBytes(CLAIM_CODE_LENGTH), (b) => CLAIM_CODE_ALPHABET[b % 32]).join('');
}

// ---- setup links -----------------------------------------------------------------------------------------

export interface SetupLink {
  serial: string;
  claimCode?: string;
  type?: string;
}

/** https://<app>/setup?sn=<serial>&c=<claim code>&type=<type>: what each unit's QR code holds. */
export function setupUrl(appUrl: string, link: SetupLink): string {
  const url = new URL('/setup', appUrl);
  url.searchParams.set('sn', link.serial);
  if (link.claimCode) url.searchParams.set('c', link.claimCode);
  if (link.type) url.searchParams.set('type', link.type);
  return url.toString();
}

/** The setup page's reading of its own query string (values normalized, unchecked). */
export function parseSetupQuery(search: string | URLSearchParams): SetupLink {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const claimCode = params.get('c');
  const type = params.get('type');
  return {
    serial: normalizeSerial(params.get('sn') ?? ''),
    ...(claimCode ? { claimCode: normalizeClaimCode(claimCode) } : {}),
    ...(type ? { type } : {}),
  };
}

function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
