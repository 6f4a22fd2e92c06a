import { BROKER_KINDS, connectClient, nextMessage, serviceClient, waitFor } from '@esp32cloud/broker/testing';
import type { FlashConfig } from '@esp32cloud/protocol';
import { malformedMessages, type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { requireMosquitto } from '@esp32cloud/tests/harness/broker-kind';
import { Timestamp } from 'firebase-admin/firestore';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from '../src/index.ts';
import { type Fixture, startFixture } from './bridge-fixtures.ts';

const hasMosquitto = requireMosquitto();

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`ingest bridge on ${kind}`, () => {
    let fx: Fixture;
    let bridge: RunningBridge;
    const devices: SimulatedDevice[] = [];
    const clients: MqttClient[] = [];
    const simulate = async (flash: FlashConfig) => {
      const device = startSimulatedDevice(flash, { msPerSecond: 20, backoff: { initialMs: 50, maxMs: 200 } });
      devices.push(device);
      await device.waitConnected(5000);
      return device;
    };
    // A device as a bare MQTT client with its own credentials: the test writes its messages by hand.
    const rawDevice = async (flash: FlashConfig) => {
      const client = await connectClient(fx.broker.url, {
        username: flash.username,
        password: flash.password,
        clientId: flash.serial_number,
        protocolVersion: 4,
      });
      clients.push(client);
      return client;
    };
    const state = async (deviceId: string) => (await fx.db.doc(`devices/${deviceId}`).get()).data() ?? {};

    beforeAll(async () => {
      fx = await startFixture(kind);
      bridge = await startBridge(fx.bridgeConfig());
    });
    afterAll(async () => {
      for (const d of devices) await d.stop({ graceful: false });
      for (const c of clients) c.end(true);
      await bridge?.stop();
      await fx?.stop();
    });

    it('writes state, marks the device active and republishes to linked users', async () => {
      const flash = await fx.provision('BRG0000001', '4Relay', 'owner-1');
      const watcher = await serviceClient(fx.broker, 'admin');
      clients.push(watcher);
      await watcher.subscribeAsync('users/owner-1/devices/+/status', { qos: 0 });
      const republished = nextMessage(watcher, (t) => t === 'users/owner-1/devices/BRG0000001/status');
      await simulate(flash);
      const doc = await waitFor(async () => {
        const d = await state(flash.device_id);
        return d.state?.online === true && d.state?.outputs?.relay1 === false ? d : null;
      });
      expect(doc.status).toBe('active');
      expect(doc.state.last_seen.toMillis()).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.parse((await republished).payload)).toMatchObject({ v: 1, online: true });

      // Usage is counted in memory and lands in the day's history summary on flush (docs/ANALYTICS.md).
      await bridge.idle();
      await bridge.flushUsage();
      const day = new Date().toISOString().slice(0, 10);
      const usage = (await fx.db.doc(`devices/${flash.device_id}/history_days/${day}`).get()).data();
      expect(usage?.day).toBe(day);
      expect(usage?.statuses).toBeGreaterThanOrEqual(1);
      expect(usage?.messages).toBeGreaterThanOrEqual(usage?.statuses);
    });

    it('marks a command acked with its result and writes the new state', async () => {
      const flash = await fx.provision('BRG0000002', 'LED');
      await simulate(flash);
      await fx.db.doc(`devices/${flash.device_id}/commands/cmd-led-1`).set({
        id: 'cmd-led-1',
        command: 'led',
        params: { state: 'on', brightness: 30 },
        status: 'sent',
      });
      const relay = await serviceClient(fx.broker, 'functionsRelay');
      clients.push(relay);
      await relay.publishAsync(
        'devices/BRG0000002/control',
        JSON.stringify({ v: 1, id: 'cmd-led-1', command: 'led', state: 'on', brightness: 30 }),
        { qos: 1 },
      );
      const command = await waitFor(async () => {
        const c = (await fx.db.doc(`devices/${flash.device_id}/commands/cmd-led-1`).get()).data();
        return c?.status === 'acked' ? c : null;
      });
      expect(command.acked_at).toBeInstanceOf(Timestamp);
      expect(Math.abs(command.acked_at.toMillis() - Date.now())).toBeLessThan(10 * 60_000);
      const doc = await state(flash.device_id);
      expect(doc.state.outputs).toMatchObject({ power: true, brightness: 30 });
    });

    it('creates no command for an ack nobody asked for, and a redelivered ack leaves the command acked', async () => {
      const flash = await fx.provision('BRG0000011', '4Relay');
      const device = await rawDevice(flash);
      const ack = (id: string, relay1: boolean) =>
        JSON.stringify({ v: 1, id, ok: true, state: { outputs: { relay1 } } });
      await device.publishAsync('devices/BRG0000011/ack', ack('ghost-1', true), { qos: 1 });
      // The state the ack reports is still the device's state; only the command is not invented.
      await waitFor(
        async () => (await state(flash.device_id)).state?.outputs?.relay1 === true,
        10_000,
        'state from the unasked ack',
      );
      expect((await fx.db.doc(`devices/${flash.device_id}/commands/ghost-1`).get()).exists).toBe(false);

      const ref = fx.db.doc(`devices/${flash.device_id}/commands/twice-1`);
      await ref.set({ id: 'twice-1', command: 'relay', params: { relay: 1, state: 'off' }, status: 'sent' });
      await device.publishAsync('devices/BRG0000011/ack', ack('twice-1', false), { qos: 1 });
      await device.publishAsync('devices/BRG0000011/ack', ack('twice-1', false), { qos: 1 });
      await waitFor(async () => (await state(flash.device_id)).state?.outputs?.relay1 === false);
      const command = await waitFor(async () => {
        const c = (await ref.get()).data();
        return c?.status === 'acked' ? c : null;
      });
      expect(command.error).toBeUndefined();
      expect(command.acked_at).toBeInstanceOf(Timestamp);
    });

    it('marks a command failed with "timeout" when the device never answers', async () => {
      const flash = await fx.provision('BRG0000007', '4Relay');
      const device = await simulate(flash);
      await device.injectFault({ kind: 'no_ack' });
      const ref = fx.db.doc(`devices/${flash.device_id}/commands/silent-1`);
      await ref.set({ id: 'silent-1', command: 'all', params: { state: 'on' }, status: 'sent' });
      const relay = await serviceClient(fx.broker, 'functionsRelay');
      clients.push(relay);
      await relay.publishAsync(
        'devices/BRG0000007/control',
        '{"v":1,"id":"silent-1","command":"all","state":"on"}',
        {
          qos: 1,
        },
      );
      const failed = await waitFor(
        async () => {
          const c = (await ref.get()).data();
          return c?.status === 'failed' ? c : null;
        },
        10_000,
        'timed-out command',
      );
      expect(failed.error.code).toBe('timeout');
      // An answered command is never timed out.
      device.recover();
      const answered = fx.db.doc(`devices/${flash.device_id}/commands/answered-1`);
      await answered.set({ id: 'answered-1', command: 'ping', params: {}, status: 'sent' });
      await relay.publishAsync('devices/BRG0000007/control', '{"v":1,"id":"answered-1","command":"ping"}', {
        qos: 1,
      });
      await waitFor(async () => (await answered.get()).get('status') === 'acked');
      await new Promise((r) => setTimeout(r, 600));
      expect((await answered.get()).get('status')).toBe('acked');
    });

    it('keeps processing after a corpus of malformed messages', async () => {
      const flash = await fx.provision('BRG0000003', '4Relay');
      const corpus = malformedMessages('BRG0000003');
      expect(corpus.length).toBeGreaterThanOrEqual(50);
      const before = bridge.stats();
      const device = await rawDevice(flash);
      for (const message of corpus) await device.publishAsync(message.topic, message.payload, { qos: 1 });
      await device.publishAsync(
        'devices/BRG0000003/status',
        JSON.stringify({ v: 1, online: true, outputs: { relay3: true } }),
        { qos: 1 },
      );
      await waitFor(
        async () => (await state(flash.device_id)).state?.outputs?.relay3 === true,
        15_000,
        'valid status',
      );
      const after = bridge.stats();
      expect(after.dropped - before.dropped).toBeGreaterThanOrEqual(50);
      // No log document was created from garbage, and the device is still healthy in Firestore.
      const logs = await fx.db.collection(`devices/${flash.device_id}/logs`).get();
      expect(logs.size).toBe(0);
    });

    it('detects offline by last will', async () => {
      const flash = await fx.provision('BRG0000004', '4Relay');
      const device = await simulate(flash);
      await waitFor(async () => (await state(flash.device_id)).state?.online === true);
      await device.injectFault({ kind: 'drop' });
      await waitFor(
        async () => (await state(flash.device_id)).state?.online === false,
        10_000,
        'offline by will',
      );
    });

    it('detects offline by heartbeat timeout when a device hangs with its connection open', async () => {
      const flash = await fx.provision('BRG0000005', 'Sensor');
      const device = await simulate(flash);
      await waitFor(async () => (await state(flash.device_id)).state?.readings?.temperature !== undefined);
      await device.injectFault({ kind: 'silent' });
      const silentFrom = Date.now();
      const offline = await waitFor(
        async () => {
          const d = await state(flash.device_id);
          return d.state?.online === false ? d : null;
        },
        10_000,
        'offline by timeout',
      );
      // The offline write carries the time the device was last heard, not the time the sweep noticed: the
      // sweep cannot notice before 3 × 100 ms of silence, so its own time would be past silentFrom + 300. A
      // heartbeat already in flight when the fault began may still land a little after silentFrom.
      expect(offline.state.last_seen.toMillis()).toBeLessThan(silentFrom + 250);
      expect(device.state().connected).toBe(true);
      device.recover();
      await waitFor(async () => (await state(flash.device_id)).state?.online === true, 10_000, 'back online');
    });

    it('loses no QoS 1 status while the bridge restarts', async () => {
      const flash = await fx.provision('BRG0000006', '4Relay');
      const device = await rawDevice(flash);
      await device.publishAsync('devices/BRG0000006/status', '{"v":1,"online":true}', {
        qos: 1,
        retain: true,
      });
      await waitFor(async () => (await state(flash.device_id)).state?.online === true);
      await bridge.stop();

      const sequence = [1, 2, 3, 4].map((n) => ({ v: 1, online: true, outputs: { [`relay${n}`]: true } }));
      for (const status of sequence) {
        await device.publishAsync('devices/BRG0000006/status', JSON.stringify(status), { qos: 1 });
      }
      bridge = await startBridge(fx.bridgeConfig());
      const doc = await waitFor(
        async () => {
          const d = await state(flash.device_id);
          return Object.values(d.state?.outputs ?? {}).filter((v) => v === true).length === 4 ? d : null;
        },
        15_000,
        'every queued status',
      );
      expect(doc.state.outputs).toEqual({ relay1: true, relay2: true, relay3: true, relay4: true });
      await bridge.idle();
      expect(bridge.stats().received).toBeGreaterThanOrEqual(4);
    });
  });
}
