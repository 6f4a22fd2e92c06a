import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type RunningBroker, startBroker } from '@esp32cloud/broker';
import { type FlashConfig, flashConfigSchema, randomSerial, topics } from '@esp32cloud/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, signUp } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { connack } from '../harness/mqtt-refusals.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { call, provision, runCli } from './helpers.ts';

// Provisioning with a broker: each device's credentials reach the broker (dynamic security), so the unit can
// connect with its flash file and touch its own topics; an operator's decommission revokes them at once.
// On the broker brokerUnderTest() names (Mosquitto; the embedded broker enforces the same dynamic-security model).

const kind = brokerUnderTest('provisioning with a broker');
/** The CONNACK code each broker refuses wrong credentials with: Mosquitto (MQTT 5) 135, aedes (3.1.1) 4. */
const REFUSED = kind === 'mosquitto' ? 135 : 4;
/** ...and right credentials under another client id than the one they are pinned to: 135, or 5. */
const NOT_AUTHORISED = kind === 'mosquitto' ? 135 : 5;

let broker: RunningBroker;
let stack: Stack;
let dataDir: string;
let workDir: string;
let adminUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'registry-broker-'));
  workDir = mkdtempSync(path.join(os.tmpdir(), 'registry-broker-out-'));
  broker = await startBroker({ kind, port: 0, dataDir });
  const url = new URL(broker.url);
  url.username = broker.adminCredentials.username;
  url.password = broker.adminCredentials.password;
  adminUrl = url.toString();
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    functionsEnv: { BROKER_ADMIN_URL: adminUrl, DEVICE_BROKER_URL: broker.url },
  });
});

afterAll(async () => {
  await stack?.stop();
  await broker?.stop();
  for (const dir of [dataDir, workDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Connects as the device would: 'accepted' once the broker accepted it and acknowledged a status publish, or
 * the CONNACK code it was refused with. No answer at all (timeout, dead broker) rejects: it is neither.
 */
async function connectVerdict(
  flash: Pick<FlashConfig, 'serial_number' | 'username' | 'password'>,
  clientId = flash.serial_number,
): Promise<'accepted' | number> {
  const verdict = await connack(broker.url, {
    username: flash.username,
    password: flash.password,
    clientId,
    protocolVersion: broker.mqttVersion,
  });
  if (!verdict.accepted) return verdict.reasonCode;
  await verdict.client.publishAsync(
    topics.status(flash.serial_number),
    JSON.stringify({ v: 1, online: true }),
    { qos: 1 },
  );
  await verdict.client.endAsync();
  return 'accepted';
}

it(`runs on the ${kind} broker`, () => {
  expect(broker.kind).toBe(kind);
});

describe('provision CLI with --broker-admin-url', () => {
  it('registers every device so it connects with its flash file, and nobody with a wrong password', async () => {
    const out = path.join(workDir, 'cli');
    const run = await runCli(stack, 'scripts/provision.ts', [
      ...['--type', 'LED', '--count', '3', '--firmware', '1.0.0', '--out', out, '--batch', 'brk'],
      ...['--broker-admin-url', adminUrl, '--broker-url', broker.url, '--quiet'],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({
      created: 3,
      broker_registered: true,
    });
    const { devices } = await provision(stack, { type: 'LED', count: 3, out, batch: 'brk' });
    expect(devices).toHaveLength(3);
    for (const device of devices) {
      const flash = flashConfigSchema.parse(
        JSON.parse(await readFile(path.join(out, `${device.serial_number}.json`), 'utf8')),
      );
      expect(flash.broker_url).toBe(broker.url);
      expect(await connectVerdict(flash)).toBe('accepted');
      expect(await connectVerdict({ ...flash, password: 'not-the-password' })).toBe(REFUSED);
      // Registered pinned to its serial: the same credentials under another device's serial are refused.
      const other = devices.find((d) => d.serial_number !== device.serial_number)?.serial_number as string;
      expect(await connectVerdict(flash, other)).toBe(NOT_AUTHORISED);
    }
  });
});

describe('devices made without a broker', () => {
  it('are registered from their flash files when the batch is re-run with a broker', async () => {
    const out = path.join(workDir, 'late');
    const before = await provision(stack, { type: '4Relay', count: 2, out, batch: 'late' });
    expect(before.summary).toMatchObject({ created: 2, broker_registered: false });
    const flashes = await Promise.all(
      before.devices.map(async (d) =>
        flashConfigSchema.parse(
          JSON.parse(await readFile(path.join(out, `${d.serial_number}.json`), 'utf8')),
        ),
      ),
    );
    for (const flash of flashes) expect(await connectVerdict(flash)).toBe(REFUSED);
    const rerun = await runCli(stack, 'scripts/provision.ts', [
      ...['--type', '4Relay', '--count', '2', '--firmware', '1.0.0', '--out', out, '--batch', 'late'],
      ...['--broker-admin-url', adminUrl, '--quiet'],
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout.trim().split('\n').pop()!)).toMatchObject({
      created: 0,
      broker_caught_up: 2,
    });
    for (const flash of flashes) expect(await connectVerdict(flash)).toBe('accepted');
  });
});

describe('POST /api/devices and operator decommission with a broker', () => {
  it('registers the one device with the broker, and DELETE /api/devices/{id} revokes it', async () => {
    const user = await signUp(stack.authHost!);
    expect((await runCli(stack, 'scripts/operator.ts', ['grant', user.email])).code).toBe(0);
    const operator = await signIn(stack.authHost!, user.email, user.password);
    const serial = randomSerial();
    const created = await call(stack.apiUrl!, 'POST', '/devices', {
      token: operator.idToken,
      body: { serial_number: serial, device_type: 'Sensor', firmware_version: '1.2.0' },
    });
    expect(created.status).toBe(201);
    expect(created.body.broker_registered).toBe(true);
    const flash = flashConfigSchema.parse(created.body.flash_config);
    expect(await connectVerdict(flash)).toBe('accepted');
    expect(await connectVerdict(flash, 'bridge')).toBe(NOT_AUTHORISED);

    const customer = await signUp(stack.authHost!);
    const claimed = await call(stack.apiUrl!, 'POST', '/devices/register', {
      token: customer.idToken,
      body: { serial_number: serial, claim_code: created.body.claim_code, device_name: 'Garden' },
    });
    expect(claimed.status).toBe(201);

    const notOperator = await call(stack.apiUrl!, 'DELETE', `/devices/${created.body.device_id}`, {
      token: customer.idToken,
    });
    expect(notOperator.status).toBe(403);
    const removed = await call(stack.apiUrl!, 'DELETE', `/devices/${created.body.device_id}`, {
      token: operator.idToken,
    });
    expect(removed.status).toBe(204);
    expect(await connectVerdict(flash)).toBe(REFUSED);
    const list = await call(stack.apiUrl!, 'GET', `/users/${customer.uid}/devices`, {
      token: customer.idToken,
    });
    expect(list.body.devices).toEqual([]);
    expect((await call(stack.apiUrl!, 'GET', `/devices/validate?sn=${serial}`)).body.exists).toBe(false);
    // The serial stays reserved: it is never issued again.
    const reuse = await call(stack.apiUrl!, 'POST', '/devices', {
      token: operator.idToken,
      body: { serial_number: serial, device_type: 'Sensor', firmware_version: '1.2.0' },
    });
    expect(reuse.status).toBe(409);
  });
});
