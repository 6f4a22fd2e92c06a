import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  BrokerAdmin,
  dynsecPluginPath,
  ensureBrokerData,
  ensureBrokerTls,
  mosquittoAvailable,
  productionConf,
  type RunningBroker,
  runMosquitto,
  startBroker,
} from '@esp32cloud/broker';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.ts';
import { requireProgram } from '../harness/programs.ts';

// The broker as an attacker meets it, holding one device's credentials (dumped from its flash) and knowing
// every serial (they are printed on boxes): both real brokers, Mosquitto with dynamic security and the
// embedded one enforcing the same file, and Mosquitto started with the production configuration.

const hasMosquitto = requireProgram('mosquitto');

const VICTIM = { serial: 'ABUSEVICTIM1', password: 'victim-pw' };
const ATTACKER = { serial: 'ABUSELEAKED2', password: 'leaked-pw' };
/** CONNACK "not authorised": MQTT 3.1.1 return code 5; MQTT 5 reason code 0x87. */
const NOT_AUTHORISED = { 4: 5, 5: 0x87 } as const;

const open: MqttClient[] = [];

function connect(url: string, options: IClientOptions, timeoutMs = 5000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...options });
    open.push(client);
    const timer = setTimeout(() => fail(new Error('no CONNACK in time')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      client.end(true);
      reject(error);
    };
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

/** The CONNACK return/reason code of a refused connection (throws if the broker accepted it). */
async function refusal(url: string, options: IClientOptions): Promise<number | string> {
  const client = await connect(url, options).then(
    (c) => c,
    (error: Error & { code?: number | string }) => error.code ?? error.message,
  );
  if (typeof client === 'object') throw new Error('the broker accepted a connection it should refuse');
  return client;
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

afterAll(() => {
  for (const client of open) client.end(true);
});

for (const kind of ['mosquitto', 'embedded'] as const) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`${kind} broker: identity and TLS`, () => {
    let dataDir: string;
    let broker: RunningBroker;
    let admin: BrokerAdmin;
    let observer: MqttClient;
    let victim: MqttClient;
    let victimClosed = false;
    const wentOffline: string[] = [];
    const versions = kind === 'mosquitto' ? ([4, 5] as const) : ([4] as const);

    const device = (who: typeof VICTIM, clientId: string, protocolVersion: 4 | 5 = 4, url = broker.url) =>
      ({
        url,
        options: { username: who.serial, password: who.password, clientId, protocolVersion },
      }) as const;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `abuse-${kind}-`));
      broker = await startBroker({ kind, port: 0, tlsPort: 0, wssPort: 0, dataDir });
      admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
      await admin.addDevices([VICTIM, ATTACKER]);
      observer = await connect(broker.url, {
        username: broker.adminCredentials.username,
        password: broker.adminCredentials.password,
        protocolVersion: 4,
      });
      await observer.subscribeAsync('devices/+/status', { qos: 1 });
      observer.on('message', (topic, payload) => {
        if (topic === `devices/${VICTIM.serial}/status` && payload.toString().includes('"online":false')) {
          wentOffline.push(payload.toString());
        }
      });
      const v = device(VICTIM, VICTIM.serial);
      victim = await connect(v.url, {
        ...v.options,
        will: {
          topic: `devices/${VICTIM.serial}/status`,
          payload: Buffer.from('{"v":1,"online":false}'),
          qos: 1,
          retain: true,
        },
      });
      victim.on('close', () => {
        victimClosed = true;
      });
      await victim.subscribeAsync(`devices/${VICTIM.serial}/control`, { qos: 1 });
      await victim.publishAsync(`devices/${VICTIM.serial}/status`, '{"v":1,"online":true}', {
        qos: 1,
        retain: true,
      });
    });

    afterAll(async () => {
      await admin?.close();
      await broker?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    /** The victim's session is intact: still connected, no last will fired, and a command still reaches it. */
    async function victimStillOnline(id: string) {
      await settle();
      expect(victimClosed).toBe(false);
      expect(victim.connected).toBe(true);
      expect(wentOffline).toEqual([]);
      const relay = await connect(broker.url, {
        username: broker.serviceCredentials.functionsRelay.username,
        password: broker.serviceCredentials.functionsRelay.password,
        protocolVersion: 4,
      });
      const received = new Promise<string>((resolve) =>
        victim.on('message', (_t, payload) => {
          if (payload.toString().includes(id)) resolve(payload.toString());
        }),
      );
      await relay.publishAsync(
        `devices/${VICTIM.serial}/control`,
        JSON.stringify({ v: 1, id, command: 'ping' }),
        {
          qos: 1,
        },
      );
      expect(await received).toContain(id);
      relay.end(true);
    }

    for (const version of versions) {
      it(`refuses a leaked device credential under another device's serial (MQTT ${version === 4 ? '3.1.1' : '5'}), and the victim stays online`, async () => {
        const leaked = device(ATTACKER, VICTIM.serial, version);
        expect(await refusal(leaked.url, leaked.options)).toBe(NOT_AUTHORISED[version]);
        await victimStillOnline(`takeover-${version}`);
      });
    }

    it("refuses a leaked device credential under the bridge's client id, and the bridge keeps its session", async () => {
      const bridgeAccount = broker.serviceCredentials.bridge;
      expect(bridgeAccount.clientId).toBe('bridge');
      const bridge = await connect(broker.url, {
        username: bridgeAccount.username,
        password: bridgeAccount.password,
        clientId: 'bridge',
        clean: false,
        protocolVersion: 4,
      });
      let bridgeClosed = false;
      bridge.on('close', () => {
        bridgeClosed = true;
      });
      for (const version of versions) {
        const leaked = device(ATTACKER, 'bridge', version);
        expect(await refusal(leaked.url, { ...leaked.options, clean: false })).toBe(NOT_AUTHORISED[version]);
      }
      await settle();
      expect(bridgeClosed).toBe(false);
      expect(bridge.connected).toBe(true);
      bridge.end(true);
    });

    it('pins the bridge account to its own client id, and a device to its serial with an empty or random id', async () => {
      const bridgeAccount = broker.serviceCredentials.bridge;
      expect(
        await refusal(broker.url, {
          username: bridgeAccount.username,
          password: bridgeAccount.password,
          clientId: VICTIM.serial,
          protocolVersion: 4,
        }),
      ).toBe(NOT_AUTHORISED[4]);
      const random = device(ATTACKER, `${ATTACKER.serial}-x`);
      expect(await refusal(random.url, random.options)).toBe(NOT_AUTHORISED[4]);
      const empty = device(ATTACKER, '');
      expect(await refusal(empty.url, { ...empty.options, clean: true })).toBe(NOT_AUTHORISED[4]);
      await victimStillOnline('pins');
    });

    it('still lets the leaked credential connect as its own device, and only as that', async () => {
      const own = device(ATTACKER, ATTACKER.serial);
      const client = await connect(own.url, own.options);
      expect(client.connected).toBe(true);
      client.end(true);
    });

    it('serves MQTT over TLS and secure WebSockets with the generated CA, and refuses an untrusted certificate', async () => {
      expect(broker.tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
      expect(broker.wssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const ca = broker.tls?.ca;
      const own = device(ATTACKER, ATTACKER.serial, 4, broker.tlsUrl as string);
      const overTls = await connect(own.url, { ...own.options, ca });
      await overTls.publishAsync(`devices/${ATTACKER.serial}/status`, '{"v":1,"online":true}', { qos: 1 });
      overTls.end(true);
      const overWss = await connect(broker.wssUrl as string, { ...own.options, ca });
      overWss.end(true);
      // Without the CA the certificate is not trusted: no connection at all.
      await expect(connect(own.url, own.options)).rejects.toThrow(/certificate/i);
      // The same pin holds over TLS.
      const leaked = device(ATTACKER, VICTIM.serial, 4, broker.tlsUrl as string);
      expect(await refusal(leaked.url, { ...leaked.options, ca })).toBe(NOT_AUTHORISED[4]);
    });

    it('keeps the CA and broker keys and certificates in files only their owner can read', () => {
      const tls = broker.tls;
      expect(tls).not.toBeNull();
      for (const file of [tls?.caFile, tls?.certFile, tls?.keyFile, join(dataDir, 'tls', 'ca.key')]) {
        expect(statSync(file as string).mode & 0o777, file).toBe(0o600);
      }
    });
  });
}

describe.skipIf(!hasMosquitto)('Mosquitto with the production configuration', () => {
  let dir: string;
  let stop: (() => Promise<void>) | undefined;
  const ports = { localPort: 0, tlsPort: 0, wssPort: 0 };
  let ca: string;
  let text: string;
  const credentials = { username: VICTIM.serial, password: VICTIM.password, clientId: VICTIM.serial };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'abuse-production-'));
    const dataDir = join(dir, 'data');
    const { dynsecFile } = ensureBrokerData(dataDir);
    const tls = ensureBrokerTls(join(dir, 'certs'));
    ca = tls.ca;
    ports.localPort = await freePort();
    ports.tlsPort = await freePort();
    ports.wssPort = await freePort();
    // The committed production file, rendered for this machine: free ports instead of 1883/8883/443, the
    // temporary directories instead of the container's, and (as root) this user instead of `mosquitto`.
    text = productionConf({
      ...ports,
      certDir: join(dir, 'certs'),
      dataDir,
      pluginPath: dynsecPluginPath() as string,
      user: process.getuid?.() === 0 ? userInfo().username : undefined,
    });
    const confFile = join(dir, 'mosquitto.conf');
    writeFileSync(confFile, text);
    const running = await runMosquitto({
      binary: mosquittoAvailable() as string,
      confFile,
      host: '127.0.0.1',
      ports: Object.values(ports),
    });
    stop = running.stop;
    const service = JSON.parse(readFileSync(join(dataDir, 'service-credentials.json'), 'utf8'));
    const admin = await BrokerAdmin.connect({ url: `mqtt://127.0.0.1:${ports.localPort}`, ...service.admin });
    await admin.addDevice(VICTIM);
    await admin.close();
    expect(dynsecFile).toContain(dataDir);
  });

  afterAll(async () => {
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('binds every plain listener to loopback and puts TLS on every other', () => {
    const listeners = text.split('\n# ').filter((block) => /^listener /m.test(block));
    expect(listeners).toHaveLength(3);
    for (const block of listeners) {
      const [, , , host] = /^listener (\d+)( (\S+))?$/m.exec(block) ?? [];
      if (!/^certfile /m.test(block)) expect(host, block).toBe('127.0.0.1');
    }
  });

  it('accepts a device over TLS and secure WebSockets with the CA', async () => {
    const overTls = await connect(`mqtts://127.0.0.1:${ports.tlsPort}`, {
      ...credentials,
      ca,
      protocolVersion: 4,
    });
    overTls.end(true);
    const overWss = await connect(`wss://127.0.0.1:${ports.wssPort}`, {
      ...credentials,
      ca,
      protocolVersion: 4,
    });
    overWss.end(true);
  });

  it('refuses plain MQTT and plain WebSockets on the public listeners', async () => {
    await expect(
      connect(`mqtt://127.0.0.1:${ports.tlsPort}`, { ...credentials, protocolVersion: 4 }, 3000),
    ).rejects.toThrow();
    await expect(
      connect(`ws://127.0.0.1:${ports.wssPort}`, { ...credentials, protocolVersion: 4 }, 3000),
    ).rejects.toThrow();
  });

  it('refuses another serial as client id on the public listener too', async () => {
    const leaked = { ...credentials, clientId: ATTACKER.serial, ca, protocolVersion: 5 as const };
    expect(await refusal(`mqtts://127.0.0.1:${ports.tlsPort}`, leaked)).toBe(NOT_AUTHORISED[5]);
  });
});
