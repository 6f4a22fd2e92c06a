import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flashConfigSchema, makeSerial, randomSerial, validateSerial } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call, type ManifestDevice, provision, runCli } from './helpers.ts';

// The registry API through HTTP as the web app and a factory script call it, against the real Functions and
// Auth emulators and our Firestore emulator, with devices made by the provision CLI.

const APP = 'https://app.example.test';
/** The broker URL flashed at the factory (differs from the functions' own default on purpose). */
const FACTORY_BROKER = 'mqtts://broker.example.test:8883';
const LIMITS = { perUser: 3, perSerial: 4, validatePerMinute: 40 };

let stack: Stack;
let api: string;
let db: Firestore;
let workDir: string;
let pool: ManifestDevice[] = [];

beforeAll(async () => {
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    functionsEnv: {
      APP_URL: APP,
      CLAIM_FAILURES_PER_USER: String(LIMITS.perUser),
      CLAIM_FAILURES_PER_SERIAL: String(LIMITS.perSerial),
      VALIDATE_RATE_LIMIT_PER_MINUTE: String(LIMITS.validatePerMinute),
    },
  });
  api = stack.apiUrl!;
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'registry-api-'));
  const made = await Promise.all([
    provision(stack, {
      type: '4Relay',
      count: 20,
      out: path.join(workDir, 'r'),
      batch: 'api-relay',
      appUrl: APP,
      extra: ['--broker-url', FACTORY_BROKER],
    }),
    provision(stack, {
      type: 'Sensor',
      count: 4,
      out: path.join(workDir, 's'),
      batch: 'api-sensor',
      appUrl: APP,
    }),
  ]);
  pool = made.flatMap((m) => m.devices);
});

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A fresh unclaimed device of the given type from the batches made for this suite. */
function take(type = '4Relay'): ManifestDevice {
  const index = pool.findIndex((d) => d.setup_url.endsWith(`type=${type}`));
  if (index < 0) throw new Error(`no ${type} devices left for the suite`);
  return pool.splice(index, 1)[0];
}

const newUser = () => signUp(stack.authHost!);

function register(user: TestUser, device: ManifestDevice, extra: Record<string, unknown> = {}) {
  return call(api, 'POST', '/devices/register', {
    token: user.idToken,
    body: {
      serial_number: device.serial_number,
      claim_code: device.claim_code,
      device_name: 'ห้องนั่งเล่น',
      ...extra,
    },
  });
}

/** A user whose access to a device is a link written directly (sharing has its own API elsewhere). */
async function linkAs(user: TestUser, deviceId: string, level: 'controller' | 'viewer'): Promise<void> {
  await db.doc(`user_devices/${user.uid}_${deviceId}`).set({
    user_id: user.uid,
    device_id: deviceId,
    device_name: 'shared',
    access_level: level,
    added_at: Timestamp.now(),
    last_accessed: Timestamp.now(),
  });
}

describe('the whole journey: provision → validate → register → listed → status', () => {
  it('claims a factory-made device and shows it in the account', async () => {
    const device = take();
    const user = await newUser();

    const valid = await call(api, 'GET', `/devices/validate?sn=${device.serial_number}`);
    expect(valid).toEqual({
      status: 200,
      body: {
        serial_number: device.serial_number,
        valid_format: true,
        exists: true,
        device_type: '4Relay',
        availability: 'available',
      },
    });

    const registered = await register(user, device, { user_id: user.uid });
    expect(registered).toEqual({
      status: 201,
      body: {
        device_id: device.device_id,
        serial_number: device.serial_number,
        device_type: '4Relay',
        device_name: 'ห้องนั่งเล่น',
        access_level: 'owner',
      },
    });

    const list = await call(api, 'GET', `/users/${user.uid}/devices`, { token: user.idToken });
    expect(list.status).toBe(200);
    expect(list.body.devices).toEqual([
      expect.objectContaining({
        device_id: device.device_id,
        serial_number: device.serial_number,
        device_type: '4Relay',
        device_name: 'ห้องนั่งเล่น',
        access_level: 'owner',
        status: 'registered',
        firmware_version: '1.0.0',
        state: {
          online: false,
          last_seen: null,
          outputs: { relay1: false, relay2: false, relay3: false, relay4: false },
          readings: {},
        },
        desired: null,
      }),
    ]);

    const status = await call(api, 'GET', `/devices/${device.device_id}/status`, { token: user.idToken });
    expect(status).toEqual({
      status: 200,
      body: expect.objectContaining({
        device_id: device.device_id,
        status: 'registered',
        access_level: 'owner',
        desired: null,
      }),
    });
    expect(status.body.state.online).toBe(false);

    const taken = await call(api, 'GET', `/devices/validate?sn=${device.serial_number.toLowerCase()}`);
    expect(taken.body).toEqual({
      serial_number: device.serial_number,
      valid_format: true,
      exists: true,
      device_type: '4Relay',
      availability: 'taken',
    });

    const doc = (await db.doc(`devices/${device.device_id}`).get()).data()!;
    expect(doc).toMatchObject({ status: 'registered', owner_uid: user.uid });
    const config = (await db.doc(`device_configs/${device.device_id}`).get()).data()!;
    expect(config).toMatchObject({
      wifi_ssid: null,
      update_interval: 30,
      custom_settings: {},
      mqtt_broker_url: FACTORY_BROKER,
    });
  });
});

describe('GET /api/devices/validate', () => {
  it('needs no sign-in and reveals no owner data', async () => {
    const unknown = randomSerial();
    const response = await call(api, 'GET', `/devices/validate?sn=${unknown}`);
    expect(response).toEqual({
      status: 200,
      body: { serial_number: unknown, valid_format: true, exists: false },
    });
  });

  it('answers 400 invalid_serial for a bad check letter or format, before any lookup', async () => {
    const good = makeSerial('00012345');
    const typo = `${good.slice(0, 9)}${good[10]}${good[9]}${good.slice(11)}`; // …12345 → …13245
    expect(validateSerial(typo).ok).toBe(false);
    for (const sn of [typo, 'ESP32001234', 'hello']) {
      const response = await call(api, 'GET', `/devices/validate?sn=${encodeURIComponent(sn)}`);
      expect(response.status, sn).toBe(400);
      expect(response.body.error.code).toBe('invalid_serial');
    }
    expect((await call(api, 'GET', '/devices/validate')).status).toBe(400);
  });
});

describe('POST /api/devices/register errors', () => {
  it('401 without a token', async () => {
    const device = pool[0];
    const response = await call(api, 'POST', '/devices/register', {
      body: { serial_number: device.serial_number, claim_code: device.claim_code, device_name: 'x' },
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthenticated');
  });

  it('403 when the body names another user', async () => {
    const device = pool[0];
    const user = await newUser();
    const response = await register(user, device, { user_id: 'someone-else' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('permission_denied');
    expect((await db.doc(`devices/${device.device_id}`).get()).data()!.status).toBe('available');
  });

  it('404 for an unknown (well-formed) serial', async () => {
    const user = await newUser();
    const response = await call(api, 'POST', '/devices/register', {
      token: user.idToken,
      body: { serial_number: randomSerial(), claim_code: 'ABCDE12345', device_name: 'x' },
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('400 for a bad check letter', async () => {
    const device = pool[0];
    const user = await newUser();
    const last = device.serial_number.slice(-1);
    const wrong = `${device.serial_number.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    const response = await call(api, 'POST', '/devices/register', {
      token: user.idToken,
      body: { serial_number: wrong, claim_code: device.claim_code, device_name: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_serial');
  });

  it('400 for a bad device name', async () => {
    const device = pool[0];
    const user = await newUser();
    for (const name of ['', '   ', 'line\nbreak', 'x'.repeat(65)]) {
      const response = await register(user, device, { device_name: name });
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(response.body.error.code).toBe('invalid_argument');
    }
  });

  it('403 wrong_claim_code for a wrong code, and the device stays available', async () => {
    const device = take();
    const user = await newUser();
    const response = await register(user, device, { claim_code: 'ZZZZZ-ZZZZZ' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('wrong_claim_code');
    expect((await register(user, device)).status).toBe(201);
  });

  it('409 already_claimed for a claimed device; the owner retrying gets 200', async () => {
    const device = take();
    const [owner, other] = await Promise.all([newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    const again = await register(other, device);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_claimed');
    const retry = await register(owner, device);
    expect(retry.status).toBe(200);
    expect(retry.body.access_level).toBe('owner');
  });

  it('429 once a user has used up their wrong attempts, whatever the device', async () => {
    const [a, b] = [take(), take()];
    const user = await newUser();
    for (let i = 0; i < LIMITS.perUser; i++) {
      expect((await register(user, a, { claim_code: `WRONG${i}0000` })).status).toBe(403);
    }
    const blocked = await register(user, b);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('resource_exhausted');
    expect((await register(await newUser(), b)).status).toBe(201);
  });

  it('a serial past its limit of wrong codes: guessers are refused, the label still claims it', async () => {
    const device = take();
    const guessers = await Promise.all([newUser(), newUser()]);
    let attempts = 0;
    for (const guesser of guessers) {
      for (let i = 0; i < 2 && attempts < LIMITS.perSerial; i++, attempts++) {
        expect((await register(guesser, device, { claim_code: `GUESS${attempts}0000` })).status).toBe(403);
      }
    }
    // A guesser with wrong codes of its own may not try the attacked serial again, even with the right code.
    const blocked = await register(guessers[0], device);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await db.doc(`devices/${device.device_id}`).get()).data()!.status).toBe('available');
    // The holder of the label is not locked out (docs/SECURITY.md, "Claims").
    expect((await register(await newUser(), device)).status).toBe(201);
  });
});

describe('two people claiming one device at the same moment', () => {
  it('exactly one wins with 201, the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const device = take();
      const users = await Promise.all([newUser(), newUser()]);
      const responses = await Promise.all(users.map((user) => register(user, device)));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = users[responses.findIndex((r) => r.status === 201)];
      const doc = (await db.doc(`devices/${device.device_id}`).get()).data()!;
      expect(doc.owner_uid).toBe(winner.uid);
      const links = await db.collection('user_devices').where('device_id', '==', device.device_id).get();
      expect(links.docs.map((d) => d.data().user_id)).toEqual([winner.uid]);
    }
  });
});

describe('reading devices', () => {
  it("403 for another user's list; operators may read it", async () => {
    const [user, other] = await Promise.all([newUser(), newUser()]);
    const response = await call(api, 'GET', `/users/${user.uid}/devices`, { token: other.idToken });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('permission_denied');
    expect((await call(api, 'GET', `/users/${user.uid}/devices`)).status).toBe(401);
  });

  it('404 for the status of a device the caller cannot see, exactly as for one that does not exist', async () => {
    const device = take();
    const [owner, stranger] = await Promise.all([newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    const hidden = await call(api, 'GET', `/devices/${device.device_id}/status`, { token: stranger.idToken });
    const missing = await call(api, 'GET', '/devices/ESP32_000000/status', { token: stranger.idToken });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.error.code).toBe(missing.body.error.code);
    expect(hidden.body.error.message.replace(device.device_id, 'ID')).toBe(
      missing.body.error.message.replace('ESP32_000000', 'ID'),
    );
  });

  it('any access level reads status; a viewer sees its level', async () => {
    const device = take();
    const [owner, viewer] = await Promise.all([newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    await linkAs(viewer, device.device_id, 'viewer');
    const status = await call(api, 'GET', `/devices/${device.device_id}/status`, { token: viewer.idToken });
    expect(status.status).toBe(200);
    expect(status.body.access_level).toBe('viewer');
    const list = await call(api, 'GET', `/users/${viewer.uid}/devices`, { token: viewer.idToken });
    expect(list.body.devices.map((d: { access_level: string }) => d.access_level)).toEqual(['viewer']);
  });

  it('keeps last_accessed current without writing on every read', async () => {
    const device = take();
    const user = await newUser();
    expect((await register(user, device)).status).toBe(201);
    const link = db.doc(`user_devices/${user.uid}_${device.device_id}`);
    const twoHoursAgo = Timestamp.fromMillis(Date.now() - 2 * 3600_000);
    await link.update({ last_accessed: twoHoursAgo });

    await call(api, 'GET', `/devices/${device.device_id}/status`, { token: user.idToken });
    const touched = (await link.get()).data()!.last_accessed as Timestamp;
    expect(touched.toMillis()).toBeGreaterThan(twoHoursAgo.toMillis() + 3600_000);
    const updateTime = (await link.get()).updateTime!;

    await call(api, 'GET', `/devices/${device.device_id}/status`, { token: user.idToken });
    await call(api, 'GET', `/users/${user.uid}/devices`, { token: user.idToken });
    const after = await link.get();
    expect((after.data()!.last_accessed as Timestamp).isEqual(touched)).toBe(true);
    expect(after.updateTime!.isEqual(updateTime)).toBe(true);
  });
});

describe('PUT /api/devices/{id}/config', () => {
  it('lets the owner change settings validated for the device type', async () => {
    const device = take('Sensor');
    const user = await newUser();
    expect((await register(user, device)).status).toBe(201);
    const route = `/devices/${device.device_id}/config`;
    const ok = await call(api, 'PUT', route, {
      token: user.idToken,
      body: { wifi_ssid: 'บ้าน WiFi', update_interval: 60, custom_settings: { temperature_unit: 'F' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      device_id: device.device_id,
      wifi_ssid: 'บ้าน WiFi',
      update_interval: 60,
      custom_settings: { temperature_unit: 'F' },
      mqtt_broker_url: expect.any(String),
    });
    const replaced = await call(api, 'PUT', route, {
      token: user.idToken,
      body: { custom_settings: { temperature_offset: -1.5 } },
    });
    expect(replaced.body).toMatchObject({
      wifi_ssid: 'บ้าน WiFi',
      custom_settings: { temperature_offset: -1.5 },
    });
    expect(replaced.body.custom_settings.temperature_unit).toBeUndefined();

    for (const bad of [
      { custom_settings: { relay_names: { relay1: 'Pump' } } }, // a 4Relay setting on a Sensor
      { update_interval: 1 },
      { update_interval: 99999 },
      { wifi_ssid: 'x'.repeat(33) },
      { wifi_password: 'secret' },
      {},
    ]) {
      const response = await call(api, 'PUT', route, { token: user.idToken, body: bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.body.error.code).toBe('invalid_argument');
    }
    const read = await call(api, 'GET', route, { token: user.idToken });
    expect(read.body.update_interval).toBe(60);
  });

  it('403 for a controller or viewer, 404 for a stranger', async () => {
    const device = take();
    const [owner, controller, stranger] = await Promise.all([newUser(), newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    await linkAs(controller, device.device_id, 'controller');
    const route = `/devices/${device.device_id}/config`;
    const body = { custom_settings: { relay_names: { relay1: 'Pump' } } };
    expect((await call(api, 'PUT', route, { token: controller.idToken, body })).status).toBe(403);
    expect((await call(api, 'PUT', route, { token: stranger.idToken, body })).status).toBe(404);
    expect((await call(api, 'PUT', route, { token: owner.idToken, body })).status).toBe(200);
  });
});

describe('PATCH and DELETE /api/users/{uid}/devices/{id}', () => {
  it('renames with any Unicode, trimmed; rejects control characters and other accounts', async () => {
    const device = take();
    const [user, other, viewer] = await Promise.all([newUser(), newUser(), newUser()]);
    expect((await register(user, device)).status).toBe(201);
    // The device carries a copy of its owner's name (the dashboard's one query needs no owner links).
    const ownerName = async () =>
      (await db.doc(`devices/${device.device_id}`).get()).get('owner_device_name');
    expect(await ownerName()).toBe('ห้องนั่งเล่น');
    const route = `/users/${user.uid}/devices/${device.device_id}`;
    const renamed = await call(api, 'PATCH', route, {
      token: user.idToken,
      body: { device_name: '  ห้องนอน 🛏️  ' },
    });
    expect(renamed).toEqual({ status: 200, body: { device_id: device.device_id, device_name: 'ห้องนอน 🛏️' } });
    const list = await call(api, 'GET', `/users/${user.uid}/devices`, { token: user.idToken });
    expect(list.body.devices[0].device_name).toBe('ห้องนอน 🛏️');
    expect(await ownerName()).toBe('ห้องนอน 🛏️');
    // A shared user's own name for it is theirs alone: the owner's copy stays.
    await linkAs(viewer, device.device_id, 'viewer');
    const viewerRoute = `/users/${viewer.uid}/devices/${device.device_id}`;
    expect(
      (await call(api, 'PATCH', viewerRoute, { token: viewer.idToken, body: { device_name: 'ของฉัน' } }))
        .status,
    ).toBe(200);
    expect(await ownerName()).toBe('ห้องนอน 🛏️');
    const bad = await call(api, 'PATCH', route, { token: user.idToken, body: { device_name: 'a\u0007b' } });
    expect(bad.status).toBe(400);
    expect(
      (await call(api, 'PATCH', route, { token: other.idToken, body: { device_name: 'x' } })).status,
    ).toBe(403);
    const missing = await call(api, 'PATCH', `/users/${user.uid}/devices/ESP32_000000`, {
      token: user.idToken,
      body: { device_name: 'x' },
    });
    expect(missing.status).toBe(404);
  });

  it('the owner releases a device: no owner, every link gone, no claim code for whoever gave it up', async () => {
    const device = take();
    const [owner, viewer, next] = await Promise.all([newUser(), newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    await linkAs(viewer, device.device_id, 'viewer');
    await db
      .doc(`devices/${device.device_id}/commands/c1`)
      .set({ id: 'c1', command: 'all', status: 'acked' });
    await call(api, 'PUT', `/devices/${device.device_id}/config`, {
      token: owner.idToken,
      body: { wifi_ssid: 'home' },
    });

    const released = await call(api, 'DELETE', `/users/${owner.uid}/devices/${device.device_id}`, {
      token: owner.idToken,
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({
      device_id: device.device_id,
      serial_number: device.serial_number,
      status: 'available',
      released: true,
      next_claim: 'after_factory_reset',
    });
    expect(released.body.claim_code).toBeUndefined();

    const doc = (await db.doc(`devices/${device.device_id}`).get()).data()!;
    expect(doc).toMatchObject({ status: 'available', owner_uid: null, owner_device_name: null });
    const links = await db.collection('user_devices').where('device_id', '==', device.device_id).get();
    expect(links.size).toBe(0);
    expect((await db.collection(`devices/${device.device_id}/commands`).get()).size).toBe(0);
    expect((await db.doc(`device_configs/${device.device_id}`).get()).data()).toMatchObject({
      wifi_ssid: null,
      mqtt_broker_url: FACTORY_BROKER,
    });
    expect(
      (await call(api, 'GET', `/users/${owner.uid}/devices`, { token: owner.idToken })).body.devices,
    ).toEqual([]);
    expect((await call(api, 'GET', `/devices/validate?sn=${device.serial_number}`)).body.availability).toBe(
      'reset_required',
    );

    // The printed label waits for a factory reset (tests/security/factory-reset.test.ts), for everyone.
    for (const who of [next, owner]) {
      const closed = await register(who, device);
      expect(closed.status).toBe(409);
      expect(closed.body.error.code).toBe('reset_required');
    }
  });

  it('a controller or viewer deleting only leaves the device (204)', async () => {
    const device = take();
    const [owner, viewer] = await Promise.all([newUser(), newUser()]);
    expect((await register(owner, device)).status).toBe(201);
    await linkAs(viewer, device.device_id, 'viewer');
    const left = await call(api, 'DELETE', `/users/${viewer.uid}/devices/${device.device_id}`, {
      token: viewer.idToken,
    });
    expect(left.status).toBe(204);
    expect((await db.doc(`user_devices/${viewer.uid}_${device.device_id}`).get()).exists).toBe(false);
    expect((await db.doc(`devices/${device.device_id}`).get()).data()!.owner_uid).toBe(owner.uid);
    const stranger = await call(api, 'DELETE', `/users/${owner.uid}/devices/${device.device_id}`, {
      token: viewer.idToken,
    });
    expect(stranger.status).toBe(403);
  });
});

describe('operators', () => {
  let operator: TestUser;

  it('POST /api/devices is operator-only; `npm run operator -- grant` grants the role', async () => {
    const user = await newUser();
    const body = {
      serial_number: randomSerial(),
      device_type: '4Relay',
      firmware_version: '1.0.0',
      status: 'available',
    };
    const denied = await call(api, 'POST', '/devices', { token: user.idToken, body });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('permission_denied');

    const granted = await runCli(stack, 'scripts/operator.ts', ['grant', user.email]);
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toEqual({ uid: user.uid, email: user.email, role: 'operator' });
    operator = await signIn(stack.authHost!, user.email, user.password);
    const me = await call(api, 'GET', '/me', { token: operator.idToken });
    expect(me.body.role).toBe('operator');

    const created = await call(api, 'POST', '/devices', { token: operator.idToken, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      serial_number: body.serial_number,
      device_type: '4Relay',
      firmware_version: '1.0.0',
      status: 'available',
      broker_registered: false,
    });
    const flash = flashConfigSchema.parse(created.body.flash_config);
    expect(flash).toMatchObject({ serial_number: body.serial_number, device_id: created.body.device_id });
    expect(created.body.setup_url).toBe(
      `${APP}/setup?sn=${body.serial_number}&c=${created.body.claim_code}&type=4Relay`,
    );

    const duplicate = await call(api, 'POST', '/devices', { token: operator.idToken, body });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('serial_taken');
    const typo = await call(api, 'POST', '/devices', {
      token: operator.idToken,
      body: {
        ...body,
        serial_number: `${body.serial_number.slice(0, -1)}${body.serial_number.endsWith('A') ? 'B' : 'A'}`,
      },
    });
    expect(typo.status).toBe(400);
    const generated = await call(api, 'POST', '/devices', {
      token: operator.idToken,
      body: { device_type: 'LED', firmware_version: '2.1.0' },
    });
    expect(generated.status).toBe(201);
    expect(validateSerial(generated.body.serial_number).ok).toBe(true);

    // A customer claims the operator-made device with the code returned once.
    const customer = await newUser();
    const claimed = await register(customer, {
      serial_number: body.serial_number,
      device_id: created.body.device_id,
      claim_code: created.body.claim_code,
      setup_url: created.body.setup_url,
    });
    expect(claimed.status).toBe(201);

    // Operators may read anyone's list; revoking the role takes it away again.
    const list = await call(api, 'GET', `/users/${customer.uid}/devices`, { token: operator.idToken });
    expect(list.status).toBe(200);
    expect(list.body.devices).toHaveLength(1);
    const status = await call(api, 'GET', `/devices/${created.body.device_id}/status`, {
      token: operator.idToken,
    });
    expect(status.status).toBe(200);
    expect(status.body.access_level).toBeNull();

    const revoked = await runCli(stack, 'scripts/operator.ts', ['revoke', user.email]);
    expect(JSON.parse(revoked.stdout).role).toBe('customer');
    const after = await signIn(stack.authHost!, user.email, user.password);
    expect((await call(api, 'POST', '/devices', { token: after.idToken, body })).status).toBe(403);
  });

  it('operator grant of an unknown email fails with a message', async () => {
    const run = await runCli(stack, 'scripts/operator.ts', ['grant', 'nobody@example.test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No account with email nobody@example.test');
  });
});

describe('rate limit of validate (last: it uses up this address)', () => {
  it('429 past the per-address limit', async () => {
    const answers: Array<{ status: number; body: { error?: { code: string } } }> = [];
    // Bounded: even if a minute window turns over mid-loop, a full window's worth of calls reaches the limit.
    for (let i = 0; i < LIMITS.validatePerMinute * 2 + 2 && !answers.some((a) => a.status === 429); i++) {
      answers.push(await call(api, 'GET', `/devices/validate?sn=${randomSerial()}`));
    }
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body.error?.code).toBe('resource_exhausted');
    expect(answers.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
  });
});
