import { readFileSync } from 'node:fs';
import { requireMosquitto } from '@esp32cloud/tests/harness/broker-kind';
import { closedByBroker, connack, connackRefusal, subackCode } from '@esp32cloud/tests/harness/mqtt-refusals';
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

const hasMosquitto = requireMosquitto();

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

    // What each broker answers a refused MQTT 3.1.1 CONNECT: Mosquitto 5 "not authorized", aedes 4 "bad user
    // name or password". Either is a refusal; asserting the exact one proves it came from the broker's check.
    const refusedConnect = kind === 'mosquitto' ? 5 : 4;
    // Each probe uses the client id its user is pinned to, so what is judged is the credential itself.
    const refusal = (url: string, username: string | undefined, password: string | undefined) =>
      connackRefusal(url, {
        username,
        password,
        clientId: username ?? `anonymous-${Math.random()}`,
        protocolVersion: 4,
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

    it('refuses a wrong password, an unknown user and an anonymous client with a CONNACK refusal', async () => {
      expect(await refusal(broker.url, 'SNA0001', 'wrong')).toBe(refusedConnect);
      expect(await refusal(broker.url, 'NOSUCH', 'pw-a')).toBe(refusedConnect);
      expect(await refusal(broker.url, undefined, undefined)).toBe(refusedConnect);
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

    it("refuses a device subscribing to another device's topics or wildcards: SUBACK 0x80", async () => {
      const a = await device('SNA0001', 'pw-a');
      for (const filter of [
        'devices/SNB0002/control',
        'devices/+/control',
        'devices/#',
        '#',
        'admin/devices/+/logs',
      ]) {
        expect(await subackCode(a, filter), filter).toBe(0x80);
      }
      // The same client is still served its own topic: the refusals were about the filters, not the client.
      expect(await subackCode(a, 'devices/SNA0001/control')).toBe(1);
    });

    it(
      kind === 'mosquitto'
        ? "refuses a device's publish outside its own topics: PUBACK 0x87 (MQTT 5), never delivered (3.1.1)"
        : "refuses a device's publish outside its own topics: the broker closes the connection, never delivers",
      async () => {
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
          const forged = '{"v":1,"online":true,"forged":true}';
          // A fresh connection per topic, so each topic is judged on a live client.
          const verdict = await connack(broker.url, {
            username: 'SNA0001',
            password: 'pw-a',
            clientId: 'SNA0001',
            protocolVersion: 4,
          });
          if (!verdict.accepted) throw new Error(`SNA0001 refused (${verdict.reasonCode})`);
          const a = verdict.client;
          clients.push(a);
          if (kind === 'mosquitto') {
            // MQTT 3.1.1 has no refusal code for a publish: Mosquitto acknowledges and drops it (checked by the
            // observer below)...
            await a.publishAsync(topic, forged, { qos: 1 });
            expect(a.connected, topic).toBe(true);
            a.end(true);
            // ...and tells an MQTT 5 client why: PUBACK reason code 0x87, not authorized.
            const v5 = await connack(broker.url, {
              username: 'SNA0001',
              password: 'pw-a',
              clientId: 'SNA0001',
              protocolVersion: 5,
            });
            if (!v5.accepted) throw new Error(`SNA0001 refused over MQTT 5 (${v5.reasonCode})`);
            clients.push(v5.client);
            const code = await v5.client.publishAsync(topic, forged, { qos: 1 }).then(
              () => 0,
              (error: { code?: number }) => error.code,
            );
            expect(code, topic).toBe(0x87);
            v5.client.end(true);
          } else {
            // The embedded broker disconnects the offender (MQTT 3.1.1 has no DISCONNECT from the server).
            const closed = closedByBroker(a);
            a.publish(topic, forged, { qos: 1 });
            await closed;
          }
        }
        // A marker published after the forgeries arrives, so the forgeries had every chance to arrive first.
        const marker = nextMessage(
          observer,
          (t, p) => t === 'devices/SNB0002/status' && p.includes('marker'),
        );
        await b.publishAsync('devices/SNB0002/status', '{"v":1,"online":true,"marker":1}', { qos: 1 });
        await marker;
        observer.off('message', onMessage);
        expect(forbidden).toEqual([]);
      },
    );

    it('serves MQTT over WebSockets with the same credentials and ACL', async () => {
      expect(broker.wsUrl).toMatch(/^ws:\/\//);
      const ws = broker.wsUrl as string;
      expect(await refusal(ws, 'SNA0001', 'wrong')).toBe(refusedConnect);
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
      expect(await subackCode(a, 'devices/SNB0002/control')).toBe(0x80);
    });

    it('revokes a device: the broker closes its live connection and refuses it at CONNECT', async () => {
      await admin.addDevice({ serial: 'SNC0003', password: 'pw-c' });
      const c = await device('SNC0003', 'pw-c');
      const closed = closedByBroker(c);
      await admin.removeDevice('SNC0003');
      await closed;
      expect(await refusal(broker.url, 'SNC0003', 'pw-c')).toBe(refusedConnect);
      expect((await admin.getClient('SNC0003')).error).toMatch(/not found/i);
      // Re-provisioning with a new password works, and the old one is refused.
      await admin.addDevice({ serial: 'SNC0003', password: 'pw-c2' });
      expect(await refusal(broker.url, 'SNC0003', 'pw-c')).toBe(refusedConnect);
      const again = await device('SNC0003', 'pw-c2');
      await waitFor(() => again.connected, 2000, 'reconnect');
    });
  });
}
