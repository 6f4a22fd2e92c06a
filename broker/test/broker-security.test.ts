import { readFileSync } from 'node:fs';
import { requireProgram } from '@esp32cloud/tests/harness/programs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerAdmin } from '../src/admin.ts';
import { developmentConf, productionConf } from '../src/conf-files.ts';
import type { RunningBroker } from '../src/index.ts';
import {
  BROKER_KINDS,
  connectClient,
  nextMessage,
  serviceClient,
  startTestBroker,
  waitFor,
} from './mqtt-helpers.ts';

const hasMosquitto = requireProgram('mosquitto');

describe('committed mosquitto configuration', () => {
  it('matches what the code renders', () => {
    expect(readFileSync(new URL('../config/mosquitto.conf', import.meta.url), 'utf8')).toBe(productionConf());
    expect(readFileSync(new URL('../config/mosquitto.dev.conf', import.meta.url), 'utf8')).toBe(
      developmentConf(),
    );
  });
});

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`${kind} broker security`, () => {
    let running: Awaited<ReturnType<typeof startTestBroker>>;
    let broker: RunningBroker;
    let admin: BrokerAdmin;
    let observer: MqttClient;
    const clients: MqttClient[] = [];
    const device = (serial: string, password: string) =>
      connectClient(broker.url, {
        username: serial,
        password,
        clientId: serial,
        protocolVersion: 4,
      }).then((c) => {
        clients.push(c);
        return c;
      });

    beforeAll(async () => {
      running = await startTestBroker(kind, 0);
      broker = running.broker;
      admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
      await admin.addDevices([
        { serial: 'SNA0001', password: 'pw-a' },
        { serial: 'SNB0002', password: 'pw-b' },
      ]);
      observer = await serviceClient(broker, 'admin');
      await observer.subscribeAsync(['devices/+/status', 'devices/+/control'], { qos: 1 });
    });
    afterAll(async () => {
      for (const c of [...clients, observer]) c?.end(true);
      await admin?.close();
      await running?.stop();
    });

    it('refuses a wrong password, an unknown user and an anonymous client', async () => {
      await expect(device('SNA0001', 'wrong')).rejects.toThrow();
      await expect(device('NOSUCH', 'pw-a')).rejects.toThrow();
      await expect(connectClient(broker.url, { protocolVersion: 4 })).rejects.toThrow();
    });

    it('lets a device publish its own status and receive its own control', async () => {
      const a = await device('SNA0001', 'pw-a');
      const granted = await a.subscribeAsync('devices/SNA0001/control', { qos: 1 });
      expect(granted[0].qos).toBe(1);
      const seen = nextMessage(observer, (t) => t === 'devices/SNA0001/status');
      await a.publishAsync('devices/SNA0001/status', '{"v":1,"online":true}', { qos: 1 });
      expect((await seen).payload).toBe('{"v":1,"online":true}');

      const relay = await serviceClient(broker, 'functionsRelay');
      clients.push(relay);
      const command = nextMessage(a, (t) => t === 'devices/SNA0001/control');
      await relay.publishAsync('devices/SNA0001/control', '{"v":1,"id":"c1","command":"ping"}', { qos: 1 });
      expect((await command).payload).toContain('"c1"');
    });

    it("refuses a device subscribing to another device's topics or wildcards", async () => {
      const a = await device('SNA0001', 'pw-a');
      for (const filter of [
        'devices/SNB0002/control',
        'devices/+/control',
        'devices/#',
        '#',
        'admin/devices/+/logs',
      ]) {
        // mqtt.js rejects a SUBACK carrying the failure code 0x80.
        const outcome = await a.subscribeAsync(filter, { qos: 1 }).then(
          (granted) => granted[0].qos,
          () => 128,
        );
        expect(outcome, filter).toBe(128);
      }
    });

    it("never delivers a device's publish outside its own topics", async () => {
      const a = await device('SNA0001', 'pw-a');
      const b = await device('SNB0002', 'pw-b');
      const forbidden: string[] = [];
      const onMessage = (topic: string, payload: Buffer) => {
        if (payload.toString().includes('forged')) forbidden.push(topic);
      };
      observer.on('message', onMessage);
      for (const topic of [
        'devices/SNB0002/status',
        'devices/SNB0002/control',
        'users/u1/devices/SNA0001/status',
      ]) {
        // Mosquitto acknowledges and drops; the embedded broker disconnects the offender. Either way: wait.
        await Promise.race([
          a.publishAsync(topic, '{"v":1,"online":true,"forged":true}', { qos: 1 }).catch(() => {}),
          new Promise<void>((r) => a.once('close', () => r())),
        ]);
      }
      const marker = nextMessage(observer, (t, p) => t === 'devices/SNB0002/status' && p.includes('marker'));
      await b.publishAsync('devices/SNB0002/status', '{"v":1,"online":true,"marker":1}', { qos: 1 });
      await marker;
      observer.off('message', onMessage);
      expect(forbidden).toEqual([]);
    });

    it('serves MQTT over WebSockets with the same credentials and ACL', async () => {
      expect(broker.wsUrl).toMatch(/^ws:\/\//);
      const ws = broker.wsUrl as string;
      await expect(
        connectClient(ws, { username: 'SNA0001', password: 'wrong', protocolVersion: 4 }),
      ).rejects.toThrow();
      const a = await connectClient(ws, {
        username: 'SNA0001',
        password: 'pw-a',
        clientId: 'SNA0001',
        protocolVersion: 4,
      });
      clients.push(a);
      const seen = nextMessage(observer, (t, p) => t === 'devices/SNA0001/status' && p.includes('"ws":1'));
      await a.publishAsync('devices/SNA0001/status', '{"v":1,"online":true,"ws":1}', { qos: 1 });
      await seen;
      const refused = await a.subscribeAsync('devices/SNB0002/control', { qos: 1 }).then(
        (granted) => granted[0].qos,
        () => 128,
      );
      expect(refused).toBe(128);
    });

    it('revokes a device: its live connection is dropped and it cannot reconnect', async () => {
      await admin.addDevice({ serial: 'SNC0003', password: 'pw-c' });
      const c = await device('SNC0003', 'pw-c');
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      await admin.removeDevice('SNC0003');
      await closed;
      await expect(device('SNC0003', 'pw-c')).rejects.toThrow();
      expect((await admin.getClient('SNC0003')).error).toMatch(/not found/i);
      // Re-provisioning with a new password works, and the old one is refused.
      await admin.addDevice({ serial: 'SNC0003', password: 'pw-c2' });
      await expect(device('SNC0003', 'pw-c')).rejects.toThrow();
      const again = await device('SNC0003', 'pw-c2');
      await waitFor(() => again.connected, 2000, 'reconnect');
    });
  });
}
