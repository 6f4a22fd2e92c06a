import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fromUtf8, randomBytes, utf8, xorBytes } from './bytes.ts';
import { AesCtrStream, AesGcmSession, PLAIN, type SessionCipher } from './ciphers.ts';
import {
  decodeSession,
  encodeSession,
  type SecurityVersion,
  type SessionMessage,
  Status,
} from './messages.ts';
import { SrpError, srpClientProofs, srpDeviceProofs, srpPublic } from './srp6a.ts';

// The prov-session handshakes of protocomm security 0, 1 and 2 (ESP-IDF "Unified Provisioning"):
//  sec1: X25519; key = X25519(priv, peer) XOR SHA-256(PoP); AES-256-CTR from the device's 16-byte random;
//        each side proves the key by encrypting the other's public key.
//  sec2: SRP-6a (srp6a.ts) with username and PoP as password; AES-256-GCM with K[0..32] and the device's
//        12-byte nonce.
// Both sides live here so the simulator answers exactly what the web client asks.

export type SessionFailure = 'wrong_pop' | 'protocol' | 'unsupported';

export class SessionError extends Error {
  constructor(
    readonly reason: SessionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** What proves the customer holds the device: the claim code from the QR label is the PoP. */
export interface SessionCredentials {
  security: SecurityVersion;
  /** Proof of possession (security 1) or SRP password (security 2). */
  pop: string;
  /** SRP username (security 2). */
  username?: string;
  /** sec_patch_ver from proto-ver (security 2 nonce counting). */
  patchVersion?: number;
}

/** ESP-IDF's default SRP username (examples and esp_prov use it too). */
export const DEFAULT_SEC2_USERNAME = 'wifiprov';

export type Exchange = (request: Uint8Array) => Promise<Uint8Array>;

/** Fixed randomness for known-answer tests; production leaves it out. */
export interface SessionRandomness {
  secret?: Uint8Array;
}

function decodeReply(reply: Uint8Array, sec: SecurityVersion, step: string): SessionMessage {
  let message: SessionMessage;
  try {
    message = decodeSession(reply);
  } catch (error) {
    throw new SessionError(
      'protocol',
      `the device's ${step} reply is not a session message (${(error as Error).message})`,
    );
  }
  if (message.sec !== sec)
    throw new SessionError('unsupported', `the device answered with security ${message.sec}, not ${sec}`);
  return message;
}

const WRONG_POP = 'the device refused the proof of possession (claim code)';

/** Runs the client's side of the handshake over `exchange` (the prov-session endpoint). */
export async function openClientSession(
  exchange: Exchange,
  credentials: SessionCredentials,
  randomness: SessionRandomness = {},
): Promise<SessionCipher> {
  if (credentials.security === 0) {
    const reply = decodeReply(await exchange(encodeSession({ sec: 0, kind: 'cmd' })), 0, 'session');
    if (reply.kind !== 'resp' || reply.status !== Status.Success)
      throw new SessionError('protocol', 'the device refused the session');
    return PLAIN;
  }
  if (credentials.security === 1) return openSec1(exchange, credentials.pop, randomness);
  return openSec2(exchange, credentials, randomness);
}

function sec1Key(shared: Uint8Array, pop: string): Uint8Array {
  return pop ? xorBytes(shared, sha256(utf8(pop))) : shared;
}

async function openSec1(
  exchange: Exchange,
  pop: string,
  randomness: SessionRandomness,
): Promise<SessionCipher> {
  const secret = randomness.secret ?? x25519.utils.randomSecretKey();
  const clientPubkey = x25519.getPublicKey(secret);
  const r0 = decodeReply(await exchange(encodeSession({ sec: 1, kind: 'cmd0', clientPubkey })), 1, 'first');
  if (r0.sec !== 1 || r0.kind !== 'resp0' || r0.status !== Status.Success)
    throw new SessionError('protocol', 'the device refused to start a security 1 session');
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, r0.devicePubkey);
  } catch {
    throw new SessionError('protocol', 'the device sent an invalid X25519 public key');
  }
  const stream = await AesCtrStream.create(sec1Key(shared, pop), r0.deviceRandom);
  const clientVerify = await stream.apply(r0.devicePubkey);
  const reply = await exchange(encodeSession({ sec: 1, kind: 'cmd1', clientVerify }));
  // A device that could not verify us answers with an error status, or (stock firmware) with nothing.
  if (reply.length === 0) throw new SessionError('wrong_pop', WRONG_POP);
  const r1 = decodeReply(reply, 1, 'second');
  if (r1.sec !== 1 || r1.kind !== 'resp1' || r1.status !== Status.Success || r1.deviceVerify.length !== 32)
    throw new SessionError('wrong_pop', WRONG_POP);
  if (!equalBytes(await stream.apply(r1.deviceVerify), clientPubkey))
    throw new SessionError('wrong_pop', 'the device could not prove it knows the same key');
  return stream;
}

async function openSec2(
  exchange: Exchange,
  credentials: SessionCredentials,
  randomness: SessionRandomness,
): Promise<SessionCipher> {
  const username = credentials.username ?? DEFAULT_SEC2_USERNAME;
  const secret = randomness.secret ?? randomBytes(32);
  const clientPubkey = srpPublic(secret);
  const r0 = decodeReply(
    await exchange(encodeSession({ sec: 2, kind: 'cmd0', username: utf8(username), clientPubkey })),
    2,
    'first',
  );
  if (r0.sec !== 2 || r0.kind !== 'resp0' || r0.status !== Status.Success)
    throw new SessionError('protocol', 'the device refused to start a security 2 session');
  let proofs: ReturnType<typeof srpClientProofs>;
  try {
    proofs = srpClientProofs({
      username,
      password: credentials.pop,
      salt: r0.salt,
      clientSecret: secret,
      devicePublic: r0.devicePubkey,
    });
  } catch (error) {
    throw new SessionError('protocol', (error as SrpError).message);
  }
  const reply = await exchange(encodeSession({ sec: 2, kind: 'cmd1', clientProof: proofs.clientProof }));
  if (reply.length === 0) throw new SessionError('wrong_pop', WRONG_POP);
  const r1 = decodeReply(reply, 2, 'second');
  if (r1.sec !== 2 || r1.kind !== 'resp1' || r1.status !== Status.Success)
    throw new SessionError('wrong_pop', WRONG_POP);
  if (!equalBytes(r1.deviceProof, proofs.deviceProof))
    throw new SessionError('wrong_pop', 'the device could not prove it knows the password verifier');
  return AesGcmSession.create(proofs.key, r1.deviceNonce, credentials.patchVersion ?? 0);
}

// ---- the device's side ----

export type DeviceSecurityConfig =
  | { security: 0 }
  | { security: 1; pop: string }
  | { security: 2; username: string; salt: Uint8Array; verifier: Uint8Array; patchVersion: number };

/** Fixed randomness for known-answer tests of the responder. */
export interface DeviceRandomness {
  secret?: Uint8Array;
  /** sec1: the 16-byte device random; sec2: the 12-byte nonce. */
  random?: Uint8Array;
}

/**
 * One device-side session: answers prov-session requests and, once the client is verified, holds the
 * cipher for the other endpoints. A failed verification ends the session (a new cmd0 starts over).
 */
export class DeviceSession {
  cipher: SessionCipher | null = null;
  private pending: ((request: SessionMessage) => Promise<SessionMessage>) | null = null;

  constructor(
    private readonly config: DeviceSecurityConfig,
    private readonly randomness: DeviceRandomness = {},
  ) {}

  async handle(requestBytes: Uint8Array): Promise<Uint8Array> {
    let request: SessionMessage;
    try {
      request = decodeSession(requestBytes);
    } catch {
      return encodeSession(this.failure(Status.InvalidProto));
    }
    if (request.sec !== this.config.security) return encodeSession(this.failure(Status.InvalidSecScheme));
    const first = request.kind === 'cmd' || request.kind === 'cmd0';
    if (first) {
      this.cipher = null;
      this.pending = null;
      return encodeSession(await this.start(request));
    }
    const next = this.pending;
    this.pending = null;
    if (!next) return encodeSession(this.failure(Status.InvalidSession));
    return encodeSession(await next(request));
  }

  private failure(status: number): SessionMessage {
    const sec = this.config.security;
    if (sec === 0) return { sec, kind: 'resp', status };
    if (sec === 1) return { sec, kind: 'resp1', status, deviceVerify: new Uint8Array(0) };
    return { sec, kind: 'resp1', status, deviceProof: new Uint8Array(0), deviceNonce: new Uint8Array(0) };
  }

  private async start(request: SessionMessage): Promise<SessionMessage> {
    const config = this.config;
    if (config.security === 0) {
      this.cipher = PLAIN;
      return { sec: 0, kind: 'resp', status: Status.Success };
    }
    if (config.security === 1 && request.sec === 1 && request.kind === 'cmd0') {
      const secret = this.randomness.secret ?? x25519.utils.randomSecretKey();
      const devicePubkey = x25519.getPublicKey(secret);
      const deviceRandom = this.randomness.random ?? randomBytes(16);
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(secret, request.clientPubkey);
      } catch {
        return {
          sec: 1,
          kind: 'resp0',
          status: Status.InvalidArgument,
          devicePubkey: new Uint8Array(0),
          deviceRandom: new Uint8Array(0),
        };
      }
      const stream = await AesCtrStream.create(sec1Key(shared, config.pop), deviceRandom);
      const clientPubkey = request.clientPubkey;
      this.pending = async (cmd1) => {
        if (cmd1.sec !== 1 || cmd1.kind !== 'cmd1') return this.failure(Status.InvalidProto);
        if (!equalBytes(await stream.apply(cmd1.clientVerify), devicePubkey))
          return this.failure(Status.CryptoError);
        const deviceVerify = await stream.apply(clientPubkey);
        this.cipher = stream;
        return { sec: 1, kind: 'resp1', status: Status.Success, deviceVerify };
      };
      return { sec: 1, kind: 'resp0', status: Status.Success, devicePubkey, deviceRandom };
    }
    if (config.security === 2 && request.sec === 2 && request.kind === 'cmd0') {
      const username = fromUtf8(request.username);
      const deviceSecret = this.randomness.secret ?? randomBytes(32);
      let proofs: ReturnType<typeof srpDeviceProofs>;
      try {
        if (username !== config.username) throw new SrpError('unknown SRP username');
        proofs = srpDeviceProofs({
          username,
          salt: config.salt,
          verifier: config.verifier,
          deviceSecret,
          clientPublic: request.clientPubkey,
        });
      } catch {
        return {
          sec: 2,
          kind: 'resp0',
          status: Status.InvalidArgument,
          devicePubkey: new Uint8Array(0),
          salt: new Uint8Array(0),
        };
      }
      this.pending = async (cmd1) => {
        if (cmd1.sec !== 2 || cmd1.kind !== 'cmd1') return this.failure(Status.InvalidProto);
        if (!equalBytes(cmd1.clientProof, proofs.clientProof)) return this.failure(Status.CryptoError);
        // 8 random bytes, then the 4-byte counter from zero, so counting never wraps within a session.
        const deviceNonce = this.randomness.random ?? new Uint8Array([...randomBytes(8), 0, 0, 0, 0]);
        this.cipher = await AesGcmSession.create(proofs.key, deviceNonce, config.patchVersion);
        return {
          sec: 2,
          kind: 'resp1',
          status: Status.Success,
          deviceProof: proofs.deviceProof,
          deviceNonce,
        };
      };
      return {
        sec: 2,
        kind: 'resp0',
        status: Status.Success,
        devicePubkey: proofs.devicePublic,
        salt: config.salt,
      };
    }
    return this.failure(Status.InvalidProto);
  }
}
