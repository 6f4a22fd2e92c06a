import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedByBroker, connack, connackRefusal, subackCode } from '@esp32cloud/tests/harness/mqtt-refusals';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerAdmin, type RunningBroker, startAuthHook, startBroker } from '../src/index.ts';
import { connectClient, nextMessage } from './mqtt-helpers.ts';

// The broker-agnostic device auth: the HTTP hook EMQX, VerneMQ and mosquitto-go-auth call, answering from the
// same dynamic-security file (hashed passwords, pins, per-device ACLs). The embedded broker asks the hook over
// HTTP at CONNECT, publish and subscribe, as a clustered broker would (docs/SCALING.md).

const A = { serial: 'HOOKA0000001', password: 'pw-a-0123456789' };
const B = { serial: 'HOOKB0000002', password: 'pw-b-0123456789' };

let dataDir: string;
let broker: RunningBroker;
const open: MqttClient[] = [];

const device = (who: typeof A, clientId = who.serial, password = who.password) =>
  ({ username: who.serial, password, clientId, protocolVersion: 4 }) as const;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${broker.authHookUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'auth-hook-'));
  broker = await startBroker({ kind: 'embedded', port: 0, dataDir, authHook: true });
  // The admin account connects through the hook too (client id admin-…, its prefix pin).
  const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
  await admin.addDevices([A, B]);
  await admin.close();
}, 60_000);

afterAll(async () => {
  for (const client of open) client.end(true);
  await broker?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('HTTP auth hook, through the embedded broker', () => {
  it('lets a device in with its own credentials and serial, and refuses a wrong password', async () => {
    const a = await connectClient(broker.url, device(A));
    open.push(a);
    expect(await connackRefusal(broker.url, device(A, A.serial, 'wrong-password'))).toBe(5);
  });

  it("refuses a device's credentials under another device's client id, and the holder stays connected", async () => {
    const b = await connectClient(broker.url, device(B));
    open.push(b);
    expect(await connackRefusal(broker.url, device(A, B.serial))).toBe(5);
    // B still gets its commands.
    await b.subscribeAsync(`devices/${B.serial}/control`, { qos: 1 });
    const relay = await connectClient(broker.url, {
      username: broker.serviceCredentials.functionsRelay.username,
      password: broker.serviceCredentials.functionsRelay.password,
      clientId: 'functions-relay-test1',
      protocolVersion: 4,
    });
    open.push(relay);
    const got = nextMessage(b, (topic) => topic === `devices/${B.serial}/control`);
    await relay.publishAsync(`devices/${B.serial}/control`, '{"v":1}', { qos: 1 });
    expect((await got).payload).toBe('{"v":1}');
  });

  it("refuses another device's topics: subscribe gets a failure code, publish closes the connection", async () => {
    const a = await connectClient(broker.url, device(A, A.serial));
    open.push(a);
    expect(await subackCode(a, `devices/${B.serial}/control`)).toBe(0x80);
    const closed = closedByBroker(a);
    a.publish(`devices/${B.serial}/status`, '{"v":1,"online":false}', { qos: 1 });
    await closed;
  });

  it('pins the relay and admin accounts to their client-id prefixes', async () => {
    const relay = broker.serviceCredentials.functionsRelay;
    const refused = await connack(broker.url, { ...relay, clientId: A.serial, protocolVersion: 4 });
    expect(refused.accepted).toBe(false);
    const admin = broker.adminCredentials;
    expect(await connackRefusal(broker.url, { ...admin, clientId: 'bridge', protocolVersion: 4 })).toBe(5);
  });
});

describe('HTTP auth hook, each broker format', () => {
  it('answers EMQX authentication and authorisation', async () => {
    const ok = { clientid: A.serial, username: A.serial, password: A.password };
    expect((await post('/mqtt/auth', ok)).body).toEqual({ result: 'allow', is_superuser: false });
    expect((await post('/mqtt/auth', { ...ok, password: 'x' })).body).toEqual({ result: 'deny' });
    expect((await post('/mqtt/auth', { ...ok, clientid: B.serial })).body).toEqual({ result: 'deny' });
    const acl = { clientid: A.serial, username: A.serial };
    const status = { ...acl, action: 'publish', topic: `devices/${A.serial}/status` };
    expect((await post('/mqtt/acl', status)).body.result).toBe('allow');
    expect((await post('/mqtt/acl', { ...status, topic: `devices/${B.serial}/status` })).body.result).toBe(
      'deny',
    );
    const subscribe = { ...acl, action: 'subscribe', topic: `devices/${A.serial}/control` };
    expect((await post('/mqtt/acl', subscribe)).body.result).toBe('allow');
    expect((await post('/mqtt/acl', { ...subscribe, topic: 'devices/+/control' })).body.result).toBe('deny');
  });

  it('answers mosquitto-go-auth with status codes and never grants a superuser', async () => {
    const user = { username: A.serial, password: A.password, clientid: A.serial };
    expect((await post('/go-auth/user', user)).status).toBe(200);
    expect((await post('/go-auth/user', { ...user, password: 'x' })).status).toBe(403);
    expect((await post('/go-auth/superuser', { username: 'admin' })).status).toBe(403);
    const acl = { username: A.serial, clientid: A.serial };
    expect((await post('/go-auth/acl', { ...acl, topic: `devices/${A.serial}/ack`, acc: 2 })).status).toBe(
      200,
    );
    expect((await post('/go-auth/acl', { ...acl, topic: `devices/${B.serial}/ack`, acc: 2 })).status).toBe(
      403,
    );
  });

  it('answers VerneMQ webhooks', async () => {
    const register = { client_id: A.serial, username: A.serial, password: A.password, mountpoint: '' };
    const hook = (name: string) => ({ 'vernemq-hook': name });
    expect((await post('/vernemq', register, hook('auth_on_register'))).body).toEqual({ result: 'ok' });
    expect((await post('/vernemq', { ...register, password: 'x' }, hook('auth_on_register'))).body).toEqual({
      result: { error: 'not_allowed' },
    });
    const topics = [{ topic: `devices/${A.serial}/control`, qos: 1 }];
    const subscribe = { client_id: A.serial, username: A.serial, topics };
    expect((await post('/vernemq', subscribe, hook('auth_on_subscribe'))).body).toEqual({ result: 'ok' });
    const other = { ...subscribe, topics: [{ topic: `devices/${B.serial}/control`, qos: 1 }] };
    expect((await post('/vernemq', other, hook('auth_on_subscribe'))).body.result).not.toBe('ok');
  });

  it('refuses unreadable requests and follows a revoked device at once (the cache is dropped)', async () => {
    const raw = await fetch(`${broker.authHookUrl}/mqtt/auth`, { method: 'POST', body: 'not json' });
    expect(raw.status).toBe(400);
    const ok = { clientid: A.serial, username: A.serial, password: A.password };
    expect((await post('/mqtt/auth', ok)).body.result).toBe('allow');
    const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
    await admin.removeDevice(A.serial);
    await admin.close();
    expect((await post('/mqtt/auth', ok)).body.result).toBe('deny');
  });

  it('serves repeated checks from its cache', async () => {
    const hook = await startAuthHook({ dynsecFile: broker.dynsecFile });
    try {
      const body = JSON.stringify({ clientid: B.serial, username: B.serial, password: B.password });
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${hook.url}/mqtt/auth`, { method: 'POST', body });
        expect(await response.json()).toMatchObject({ result: 'allow' });
      }
      expect(hook.stats()).toEqual({ checks: 3, cacheHits: 2 });
    } finally {
      await hook.stop();
    }
  });
});
