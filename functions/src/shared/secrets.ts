import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { normalizeClaimCode } from '@esp32cloud/protocol';

// Hashing of the per-device secrets (claim codes, broker passwords). Only hashes are stored, in
// device_secrets/{deviceId}, which no client rule can read. A claim code has 50 random bits; it is first keyed
// with a server pepper (HMAC-SHA256), so a leaked database alone cannot be brute-forced, then stretched with
// scrypt so a leaked database *and* pepper still cost real work per guess. The parameters travel with the
// hash ("scrypt$N$r$p$salt$hash"), so they can be raised later without invalidating printed labels.

const SCRYPT_N = 4096;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

function scryptAsync(input: Buffer, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(input, salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function keyed(secret: string, pepper: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

export async function hashSecret(secret: string, pepper: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(keyed(secret, pepper), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/**
 * For high-entropy machine secrets (128-bit broker passwords) stretching adds nothing: the keyed hash alone,
 * "hmac$<base64url>", is enough and keeps a 1,000-device batch fast.
 */
export function hashRandomSecret(secret: string, pepper: string): string {
  return `hmac$${keyed(secret, pepper).toString('base64url')}`;
}

/** Constant-time comparison against a stored hash; a malformed stored value never matches. */
export async function verifySecret(secret: string, stored: string, pepper: string): Promise<boolean> {
  if (stored.startsWith('hmac$')) {
    const expected = Buffer.from(stored.slice(5), 'base64url');
    const actual = keyed(secret, pepper);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map((x) => Number.parseInt(x, 10));
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  const actual = await scryptAsync(keyed(secret, pepper), Buffer.from(parts[4], 'base64url'), n, r, p);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function hashClaimCode(code: string, pepper: string): Promise<string> {
  return hashSecret(normalizeClaimCode(code), pepper);
}

export function verifyClaimCode(code: string, stored: string, pepper: string): Promise<boolean> {
  return verifySecret(normalizeClaimCode(code), stored, pepper);
}

/** A device's broker password: 128 random bits, URL- and config-safe. */
export function randomBrokerPassword(): string {
  return randomBytes(16).toString('base64url');
}
