import { sha512 } from '@noble/hashes/sha2.js';
import { bigintToBytes, bytesToBigint, concatBytes, equalBytes, fromHex, utf8, xorBytes } from './bytes.ts';

// SRP-6a as protocomm security 2 uses it (RFC 5054): the 3072-bit group of RFC 5054 appendix A with g = 5,
// SHA-512 for every hash, k = H(N | PAD(g)), u = H(PAD(A) | PAD(B)), x = H(s | H(I | ":" | p)),
// K = H(S), M = H(H(N) xor H(PAD(g)) | H(I) | s | A | B | K) and the device's proof H(A | M | K).
// Integers inside H() are big-endian with no leading zeros unless PAD()ded to the length of N.

export const SRP_N = bytesToBigint(
  fromHex(
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
      '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
      'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
      '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
      'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
      'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
  ),
);
export const SRP_G = 5n;
const N_LENGTH = 384;

function H(...parts: Uint8Array[]): Uint8Array {
  return sha512(concatBytes(...parts));
}

function pad(value: bigint): Uint8Array {
  return bigintToBytes(value, N_LENGTH);
}

function toInt(bytes: Uint8Array): bigint {
  return bytesToBigint(bytes);
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const k = toInt(H(pad(SRP_N), pad(SRP_G)));

export function srpX(salt: Uint8Array, username: string, password: string): bigint {
  return toInt(H(salt, H(utf8(`${username}:${password}`))));
}

/** The verifier v = g^x the device stores instead of the password (ESP-IDF's sec2 "verifier"). */
export function srpVerifier(salt: Uint8Array, username: string, password: string): Uint8Array {
  return bigintToBytes(modPow(SRP_G, srpX(salt, username, password), SRP_N));
}

export function srpPublic(secret: Uint8Array): Uint8Array {
  return bigintToBytes(modPow(SRP_G, toInt(secret), SRP_N));
}

/** B = k·v + g^b (mod N). */
export function srpDevicePublic(verifier: Uint8Array, secret: Uint8Array): Uint8Array {
  return bigintToBytes((k * toInt(verifier) + modPow(SRP_G, toInt(secret), SRP_N)) % SRP_N);
}

function scrambler(A: Uint8Array, B: Uint8Array): bigint {
  return toInt(H(pad(toInt(A)), pad(toInt(B))));
}

export interface SrpProofs {
  /** The session key K = H(S), 64 bytes; AES-256-GCM uses its first 32. */
  key: Uint8Array;
  /** M, the client's proof. */
  clientProof: Uint8Array;
  /** H(A | M | K), the device's proof. */
  deviceProof: Uint8Array;
}

function proofs(username: string, salt: Uint8Array, A: Uint8Array, B: Uint8Array, S: bigint): SrpProofs {
  const key = H(bigintToBytes(S));
  const ngXor = xorBytes(H(bigintToBytes(SRP_N)), H(pad(SRP_G)));
  const strip = (bytes: Uint8Array) => bigintToBytes(toInt(bytes));
  const clientProof = H(ngXor, H(utf8(username)), salt, strip(A), strip(B), key);
  const deviceProof = H(strip(A), clientProof, key);
  return { key, clientProof, deviceProof };
}

export class SrpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SrpError';
  }
}

/** The client's side: S = (B − k·v)^(a + u·x). Refuses B ≡ 0 and u = 0 as RFC 5054 requires. */
export function srpClientProofs(input: {
  username: string;
  password: string;
  salt: Uint8Array;
  clientSecret: Uint8Array;
  devicePublic: Uint8Array;
}): SrpProofs & { clientPublic: Uint8Array } {
  const B = toInt(input.devicePublic);
  if (B % SRP_N === 0n) throw new SrpError('the device sent an invalid SRP public key');
  const A = srpPublic(input.clientSecret);
  const u = scrambler(A, input.devicePublic);
  if (u === 0n) throw new SrpError('the SRP scrambling parameter is zero');
  const x = srpX(input.salt, input.username, input.password);
  const v = modPow(SRP_G, x, SRP_N);
  const S = modPow(B - k * v, toInt(input.clientSecret) + u * x, SRP_N);
  return { ...proofs(input.username, input.salt, A, input.devicePublic, S), clientPublic: A };
}

/** The device's side: S = (A · v^u)^b. Refuses A ≡ 0 (RFC 5054 §2.5.4). */
export function srpDeviceProofs(input: {
  username: string;
  salt: Uint8Array;
  verifier: Uint8Array;
  deviceSecret: Uint8Array;
  clientPublic: Uint8Array;
}): SrpProofs & { devicePublic: Uint8Array } {
  const A = toInt(input.clientPublic);
  if (A % SRP_N === 0n) throw new SrpError('the client sent an invalid SRP public key');
  const B = srpDevicePublic(input.verifier, input.deviceSecret);
  const u = scrambler(input.clientPublic, B);
  const v = toInt(input.verifier);
  const S = modPow((A * modPow(v, u, SRP_N)) % SRP_N, toInt(input.deviceSecret), SRP_N);
  return { ...proofs(input.username, input.salt, input.clientPublic, B, S), devicePublic: B };
}

export function sameProof(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}
