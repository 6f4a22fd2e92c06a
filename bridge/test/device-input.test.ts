import { BROKER_KINDS, connectClient, waitFor } from '@esp32cloud/broker/testing';
import { type FlashConfig, topics, UPDATE_INTERVAL_MAX } from '@esp32cloud/protocol';
import { requireProgram } from '@esp32cloud/tests/harness/programs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from '../src/index.ts';
import { type Fixture, startFixture } from './bridge-fixtures.ts';

// A device's credentials dumped from its flash, used to send what the firmware never would (docs/SECURITY.md,
// "Device input validation"): against a real broker, the real bridge and the Firestore emulator, nothing
// outside the device type's catalogue entry reaches Firestore.

const hasMosquitto = requireProgram('mosquitto');

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`device input validation on ${kind}`, () => {
    let fx: Fixture;
    let bridge: RunningBridge;
    const clients: MqttClient[] = [];
    const device = (id: string) => fx.db.doc(`devices/${id}`);
    /** Connects as the device itself, with its own serial, username and password. */
    const impersonate = async (flash: FlashConfig) => {
      const client = await connectClient(fx.broker.url, {
        clientId: flash.serial_number,
        username: flash.username,
        password: flash.password,
        protocolVersion: fx.broker.mqttVersion,
        clean: true,
      });
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      fx = await startFixture(kind);
      // One "second" is 1 ms and a device is offline after one silent update interval, so the clamped interval
      // (UPDATE_INTERVAL_MAX s = 3.6 s here) is observable while an unclamped one would be weeks.
      bridge = await startBridge(fx.bridgeConfig({ msPerSecond: 1, heartbeatTimeoutFactor: 1 }));
    });
    afterAll(async () => {
      for (const client of clients) client.end(true);
      await bridge?.stop();
      await fx?.stop();
    });

    it('drops a forged ack state key (owner_uid) and unknown result fields, and logs them', async () => {
      const flash = await fx.provision('VAL0000001', '4Relay', 'real-owner');
      const client = await impersonate(flash);
      const command = fx.db.doc(`devices/${flash.device_id}/commands/forged-1`);
      await command.set({
        id: 'forged-1',
        command: 'relay',
        params: { relay: 1, state: 'on' },
        status: 'sent',
      });
      await client.publishAsync(
        topics.ack(flash.serial_number),
        JSON.stringify({
          v: 1,
          id: 'forged-1',
          ok: true,
          result: { owner_uid: 'attacker', update_interval: 60, note: 'x' },
          state: {
            outputs: { relay1: true, owner_uid: 'attacker', 'a.b': 1, relay2: 'on' },
            readings: { temperature: 20 },
          },
        }),
        { qos: 1 },
      );
      const acked = await waitFor(async () => {
        const c = (await command.get()).data();
        return c?.status === 'acked' ? c : null;
      });
      expect(acked.result).toEqual({ update_interval: 60 });
      const doc = await waitFor(async () => {
        const d = (await device(flash.device_id).get()).data();
        return d?.state?.outputs?.relay1 === true ? d : null;
      });
      expect(doc.state.outputs).toEqual({ relay1: true });
      expect(doc.owner_uid).toBe('real-owner');
      expect(doc.a).toBeUndefined();
      expect(doc.state.readings).toEqual({});
    });

    it('stores a device error as a code with a fixed message, never the device text', async () => {
      const flash = await fx.provision('VAL0000002', 'LED');
      const client = await impersonate(flash);
      const command = fx.db.doc(`devices/${flash.device_id}/commands/refused-1`);
      await command.set({ id: 'refused-1', command: 'led', params: { state: 'on' }, status: 'sent' });
      await client.publishAsync(
        topics.ack(flash.serial_number),
        JSON.stringify({
          v: 1,
          id: 'refused-1',
          ok: false,
          error: { code: 'timeout', message: 'Your account is locked: call +66 000 to unlock it' },
          state: { outputs: { power: true, brightness: 900, color: 'javascript:alert(1)' } },
        }),
        { qos: 1 },
      );
      const failed = await waitFor(async () => {
        const c = (await command.get()).data();
        return c?.status === 'failed' ? c : null;
      });
      expect(failed.error).toEqual({ code: 'device_error', message: 'The device reported an error.' });
      const doc = await waitFor(async () => {
        const d = (await device(flash.device_id).get()).data();
        return d?.state?.outputs?.power === true ? d : null;
      });
      expect(doc.state.outputs).toEqual({ power: true });
    });

    it('keeps in-range readings and drops out-of-range and unknown ones', async () => {
      const flash = await fx.provision('VAL0000003', 'Sensor');
      const client = await impersonate(flash);
      await client.publishAsync(
        topics.status(flash.serial_number),
        JSON.stringify({
          v: 1,
          online: true,
          readings: { temperature: 21.5, humidity: 140, pressure: 1e9, radiation: 3 },
          outputs: { relay1: true },
          update_interval: 30,
        }),
        { qos: 1 },
      );
      const doc = await waitFor(async () => {
        const d = (await device(flash.device_id).get()).data();
        return d?.state?.readings?.temperature === 21.5 ? d : null;
      });
      expect(doc.state.readings).toEqual({ temperature: 21.5 });
      expect(doc.state.outputs).toEqual({});
    });

    it('clamps an absurd update_interval, so the device still times out', async () => {
      const flash = await fx.provision('VAL0000004', '4Relay');
      const client = await impersonate(flash);
      const reportedAt = Date.now();
      await client.publishAsync(
        topics.status(flash.serial_number),
        JSON.stringify({ v: 1, online: true, update_interval: 2_147_483_647, outputs: { relay1: false } }),
        { qos: 1 },
      );
      await waitFor(async () => (await device(flash.device_id).get()).get('state.online') === true);
      // The reported interval was taken (the default 30 "s" would already have expired)…
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await device(flash.device_id).get()).get('state.online')).toBe(true);
      // …but only up to UPDATE_INTERVAL_MAX: the silent device is marked offline after it.
      await waitFor(
        async () => (await device(flash.device_id).get()).get('state.online') === false,
        15_000,
        'offline after the clamped interval',
      );
      expect(Date.now() - reportedAt).toBeGreaterThanOrEqual(UPDATE_INTERVAL_MAX);
    });
  });
}
