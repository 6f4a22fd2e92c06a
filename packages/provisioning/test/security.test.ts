import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  AesGcmSession,
  DeviceSession,
  decodeSession,
  encodeSession,
  fromHex,
  hex,
  openClientSession,
  SessionError,
  srpClientProofs,
  srpDeviceProofs,
  srpPublic,
  srpVerifier,
  utf8,
} from '../src/index.ts';

// Known-answer tests of the two handshakes. Sources of the expected values:
//  - X25519: RFC 7748 §6.1 (Alice and Bob).
//  - security 1: the RFC keys as client/device secrets, PoP "abcd1234", device random 00..0f; expected
//    bytes derived independently with node:crypto (OpenSSL X25519, SHA-256, AES-256-CTR), not the package.
//  - security 2: ESP-IDF's published example credentials (username "wifiprov", password "abcd1234") with
//    their published salt and verifier; the handshake's K, M and H(A|M|K) for fixed a = SHA-256("esp32cloud
//    sec2 client secret"), b = SHA-256("esp32cloud sec2 device secret") were derived independently in Python
//    (hashlib + pow) from RFC 5054's formulas.

const RFC7748 = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPrivate: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

const SEC1 = {
  pop: 'abcd1234',
  deviceRandom: '000102030405060708090a0b0c0d0e0f',
  clientVerify: '83bf9c458ee640df428e0d2de2717eeddeaf3867023007ec09bc853fa1db0ccf',
  deviceVerify: '1a9fc468be5458d825515286b44ebbaf011f97a43c07f40c6d64f729c6b35efd',
  /** "hello", the first bytes after the handshake on the same keystream. */
  firstRequest: 'd43e6f008c',
};

const SEC2 = {
  username: 'wifiprov',
  password: 'abcd1234',
  salt: '036ee0c7bcb9eda84c9eac97d93decf4',
  verifier:
    '7c7c85476508946dd636af37d7e8914378cffd616c59d2f83908127238de9e24a470261cdfa903c2b270e7b13224da111d9718dc607208cc9ac90c4827e2ae89aa1625b804d21a9b3a8f37f6e43a712ee127866eadce28ff5446601fb99687dc5740a7d46cc97754dc1682f0ed356ac470ad3d90b5819470d7bc65b2d518e02ec3a5f968dd647bb8b73c9cfc00d8717eb79a7cb1b7c2c318342932433e0099e98294e3d82ab09629b7df0e5f08334076529132009f972c896c391ec8280544173f68028a9f4461d1f5a17e5a70d2c72381cb3868e42c20bc40577617bd08b896bc26eb32466935058c1570d91be9becca938a667f0ad5013197264bf52c234e21b11797472bd345bb1e2fd6673fe716474d04ebc51241940870e9240e621e72d4e37762f2ee268c789e8321342068484534ab30c1b4c8d1c519719abae77ffdbecf0109534336bcb3e840fb9d85fb8a0b855533e70f718f5ce7b4ebf27cecea8b3be40c5c532293e71649ede8cf675a1e6f653c831a878de5040f762de36b2ba',
  clientSecret: 'e90bc49cb9aef0b68aa2e47da86446eb5642815773c3646f05511a02dbedbf3e',
  deviceSecret: '6afdd89c12a0fd54f859e3ea02a3723306633ea26cc9f06eea703fe566457825',
  clientPublicSha256: 'd74495ac1f3ef906480fdf2d201202104f236301848f742682f375e8f399f721',
  devicePublicSha256: '8b3b93dd6deb7f4d530a50d2911fc8e376607d96f94d71c0b4be547aff28d1fd',
  key: '4b721620a2ec84e17ce941062e141a6580a3f89bdd441423356880bd9eca3e9e21b67496b0122468460dcce82b99b49cb4c0e7023f0d1d59df912a739c1d9794',
  clientProof:
    '555e0dc9e88167ae06667d0c0fab1fd6956e07c677fac61ca7393cb8989824f36b5c91c375d3dbf01c0bd738e92af16a7df9d7f6836d10509375ad9158e61287',
  deviceProof:
    '691d8301c96bf42f92013c99ec3f164867f6719192027d2fb814e673385a6aae68c293dd9328a4dad2de81cb98360988f93f812c990bdd19fe204a78b9d7201d',
};

const sha256hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('X25519 (RFC 7748 §6.1)', () => {
  it('derives the published public keys and shared secret', () => {
    expect(hex(x25519.getPublicKey(fromHex(RFC7748.alicePrivate)))).toBe(RFC7748.alicePublic);
    expect(hex(x25519.getPublicKey(fromHex(RFC7748.bobPrivate)))).toBe(RFC7748.bobPublic);
    expect(hex(x25519.getSharedSecret(fromHex(RFC7748.alicePrivate), fromHex(RFC7748.bobPublic)))).toBe(
      RFC7748.shared,
    );
  });
});

/** Runs the client against a device session, recording every message on the wire. */
async function handshake(
  device: DeviceSession,
  credentials: Parameters<typeof openClientSession>[1],
  clientSecret?: Uint8Array,
) {
  const wire: Array<{ request: Uint8Array; reply: Uint8Array }> = [];
  const cipher = await openClientSession(
    async (request) => {
      const reply = await device.handle(request);
      wire.push({ request, reply });
      return reply;
    },
    credentials,
    { secret: clientSecret },
  );
  return { cipher, wire };
}

describe('security 1 handshake (X25519 + SHA-256(PoP) + AES-256-CTR)', () => {
  const device = () =>
    new DeviceSession(
      { security: 1, pop: SEC1.pop },
      { secret: fromHex(RFC7748.bobPrivate), random: fromHex(SEC1.deviceRandom) },
    );

  it('produces the known verification tokens and keystream', async () => {
    const session = device();
    const { cipher, wire } = await handshake(
      session,
      { security: 1, pop: SEC1.pop },
      fromHex(RFC7748.alicePrivate),
    );
    const [cmd0, resp0, cmd1, resp1] = wire.flatMap((w) => [
      decodeSession(w.request),
      decodeSession(w.reply),
    ]);
    expect(cmd0).toMatchObject({ sec: 1, kind: 'cmd0' });
    expect(hex((cmd0 as { clientPubkey: Uint8Array }).clientPubkey)).toBe(RFC7748.alicePublic);
    expect(hex((resp0 as { devicePubkey: Uint8Array }).devicePubkey)).toBe(RFC7748.bobPublic);
    expect(hex((resp0 as { deviceRandom: Uint8Array }).deviceRandom)).toBe(SEC1.deviceRandom);
    expect(hex((cmd1 as { clientVerify: Uint8Array }).clientVerify)).toBe(SEC1.clientVerify);
    expect(resp1).toMatchObject({ sec: 1, kind: 'resp1', status: 0 });
    expect(hex((resp1 as { deviceVerify: Uint8Array }).deviceVerify)).toBe(SEC1.deviceVerify);
    // Both sides continue the one keystream.
    const sealed = await cipher.encrypt(utf8('hello'));
    expect(hex(sealed)).toBe(SEC1.firstRequest);
    expect(new TextDecoder().decode(await session.cipher!.decrypt(sealed))).toBe('hello');
  });

  it('matches an independent AES-256-CTR over the whole stream, across block boundaries', async () => {
    const session = device();
    const { cipher } = await handshake(
      session,
      { security: 1, pop: SEC1.pop },
      fromHex(RFC7748.alicePrivate),
    );
    const pop = createHash('sha256').update(SEC1.pop).digest();
    const key = Buffer.from(fromHex(RFC7748.shared).map((b, i) => b ^ pop[i]));
    const reference = createCipheriv('aes-256-ctr', key, fromHex(SEC1.deviceRandom));
    reference.update(new Uint8Array(64)); // the two verification tokens
    for (const size of [5, 16, 1, 33, 70]) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
      expect(hex(await cipher.encrypt(data))).toBe(hex(reference.update(data)));
    }
  });

  it('encodes SessionData as protocomm does (sec_ver 1, sec1.sc0.client_pubkey, msg 0 omitted)', () => {
    const pub = fromHex(RFC7748.alicePublic);
    expect(hex(encodeSession({ sec: 1, kind: 'cmd0', clientPubkey: pub }))).toBe(
      `10015a25a20122 0a20${RFC7748.alicePublic}`.replace(' ', ''),
    );
  });

  it('a wrong PoP fails the session on both sides with a clear reason', async () => {
    const session = device();
    const attempt = handshake(session, { security: 1, pop: '00000000' }, fromHex(RFC7748.alicePrivate));
    await expect(attempt).rejects.toBeInstanceOf(SessionError);
    await expect(attempt).rejects.toMatchObject({ reason: 'wrong_pop' });
    expect(session.cipher).toBeNull();
  });
});

describe('security 2 handshake (SRP-6a 3072/SHA-512 + AES-256-GCM)', () => {
  const salt = fromHex(SEC2.salt);

  it("reproduces ESP-IDF's published verifier for wifiprov / abcd1234", () => {
    expect(hex(srpVerifier(salt, SEC2.username, SEC2.password))).toBe(SEC2.verifier);
  });

  it('derives the independently computed A, B, K, M and H(A|M|K) on both sides', () => {
    const clientSecret = fromHex(SEC2.clientSecret);
    const device = srpDeviceProofs({
      username: SEC2.username,
      salt,
      verifier: fromHex(SEC2.verifier),
      deviceSecret: fromHex(SEC2.deviceSecret),
      clientPublic: srpPublic(clientSecret),
    });
    const client = srpClientProofs({
      username: SEC2.username,
      password: SEC2.password,
      salt,
      clientSecret,
      devicePublic: device.devicePublic,
    });
    expect(sha256hex(client.clientPublic)).toBe(SEC2.clientPublicSha256);
    expect(sha256hex(device.devicePublic)).toBe(SEC2.devicePublicSha256);
    for (const side of [client, device]) {
      expect(hex(side.key)).toBe(SEC2.key);
      expect(hex(side.clientProof)).toBe(SEC2.clientProof);
      expect(hex(side.deviceProof)).toBe(SEC2.deviceProof);
    }
  });

  it('runs the handshake, then encrypts with K[0..32] and a counted nonce like AES-GCM elsewhere', async () => {
    const nonce = fromHex('0102030405060708090a0b0c');
    const session = new DeviceSession(
      { security: 2, username: SEC2.username, salt, verifier: fromHex(SEC2.verifier), patchVersion: 1 },
      { secret: fromHex(SEC2.deviceSecret), random: nonce },
    );
    const { cipher, wire } = await handshake(
      session,
      { security: 2, pop: SEC2.password, username: SEC2.username, patchVersion: 1 },
      fromHex(SEC2.clientSecret),
    );
    expect(hex((decodeSession(wire[1].request) as { clientProof: Uint8Array }).clientProof)).toBe(
      SEC2.clientProof,
    );
    expect(hex((decodeSession(wire[1].reply) as { deviceProof: Uint8Array }).deviceProof)).toBe(
      SEC2.deviceProof,
    );

    const key = fromHex(SEC2.key).slice(0, 32);
    const gcm = (data: Uint8Array, counter: number) => {
      const iv = Buffer.from(nonce);
      iv.writeUInt32BE(0x090a0b0c + counter, 8);
      const c = createCipheriv('aes-256-gcm', key, iv);
      return hex(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
    };
    const first = await cipher.encrypt(utf8('scan please'));
    expect(hex(first)).toBe(gcm(utf8('scan please'), 0));
    expect(new TextDecoder().decode(await session.cipher!.decrypt(first))).toBe('scan please');
    const reply = await session.cipher!.encrypt(utf8('done'));
    expect(hex(reply)).toBe(gcm(utf8('done'), 1));
    expect(new TextDecoder().decode(await cipher.decrypt(reply))).toBe('done');
  });

  it('keeps the nonce fixed for sec_patch_ver 0 firmware', async () => {
    const key = fromHex(SEC2.key);
    const nonce = fromHex('0102030405060708090a0b0c');
    const a = await AesGcmSession.create(key, nonce, 0);
    const one = await a.encrypt(utf8('x'));
    const two = await a.encrypt(utf8('x'));
    expect(hex(one)).toBe(hex(two));
    const d = createDecipheriv('aes-256-gcm', key.slice(0, 32), nonce);
    d.setAuthTag(two.slice(-16));
    expect(Buffer.concat([d.update(two.slice(0, -16)), d.final()]).toString()).toBe('x');
  });

  it('a wrong PoP fails the session with a clear reason; the device keeps no cipher', async () => {
    const session = new DeviceSession({
      security: 2,
      username: SEC2.username,
      salt,
      verifier: fromHex(SEC2.verifier),
      patchVersion: 1,
    });
    const attempt = handshake(session, { security: 2, pop: 'abcd1235', username: SEC2.username });
    await expect(attempt).rejects.toMatchObject({ name: 'SessionError', reason: 'wrong_pop' });
    expect(session.cipher).toBeNull();
  });
});
