import type { RunningBroker } from '@esp32cloud/broker';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import {
  BROKER_KINDS,
  nextMessage,
  serviceClient,
  startTestBroker,
  waitFor,
} from '@esp32cloud/broker/testing';
import {
  ackPayloadSchema,
  decodePayload,
  type FlashConfig,
  heartbeatPayloadSchema,
  statusPayloadFor,
} from '@esp32cloud/protocol';
import { requireMosquitto } from '@esp32cloud/tests/harness/broker-kind';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedDevice, startSimulatedDevice } from '../src/index.ts';

const hasMosquitto = requireMosquitto();

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`simulated device on ${kind}`, () => {
    let running: Awaited<ReturnType<typeof startTestBroker>>;
    let broker: RunningBroker;
    let observer: MqttClient;
    let relay: MqttClient;
    const devices: SimulatedDevice[] = [];
    const flash = (serial: string, device_type: FlashConfig['device_type']): FlashConfig => ({
      v: 1,
      serial_number: serial,
      device_id: `ESP32_${serial.slice(-6)}`,
      device_type,
      broker_url: broker.url,
      username: serial,
      password: `pw-${serial}`,
      update_interval: 5,
    });
    const start = async (config: FlashConfig) => {
      const device = startSimulatedDevice(config, {
        msPerSecond: 20,
        keepaliveSeconds: 1,
        backoff: { initialMs: 50, maxMs: 200 },
      });
      devices.push(device);
      await device.waitConnected(5000);
      return device;
    };

    beforeAll(async () => {
      running = await startTestBroker(kind);
      broker = running.broker;
      const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
      await admin.addDevices(
        ['SIMR000001', 'SIML000002', 'SIMS000003', 'SIMD000004', 'SIMN000005'].map((s) => ({
          serial: s,
          password: `pw-${s}`,
        })),
      );
      await admin.close();
      observer = await serviceClient(broker, 'admin');
      await observer.subscribeAsync(['devices/#', 'admin/devices/#'], { qos: 1 });
      relay = await serviceClient(broker, 'functionsRelay');
    });
    afterAll(async () => {
      for (const d of devices) await d.stop({ graceful: false });
      observer?.end(true);
      relay?.end(true);
      await running?.stop();
    });

    it('obeys the documented relay command and acknowledges it with the new state', async () => {
      const status = nextMessage(observer, (t) => t === 'devices/SIMR000001/status');
      const device = await start(flash('SIMR000001', '4Relay'));
      const first = decodePayload(statusPayloadFor('4Relay'), (await status).payload);
      expect(first.ok && first.value.outputs).toEqual({
        relay1: false,
        relay2: false,
        relay3: false,
        relay4: false,
      });

      const ack = nextMessage(observer, (t) => t === 'devices/SIMR000001/ack');
      await relay.publishAsync(
        'devices/SIMR000001/control',
        '{"v":1,"id":"cmd-1","command":"relay","pin":25,"state":"on"}',
        { qos: 1 },
      );
      const parsed = decodePayload(ackPayloadSchema, (await ack).payload);
      expect(parsed.ok && parsed.value).toMatchObject({
        id: 'cmd-1',
        ok: true,
        state: { outputs: { relay1: true } },
      });
      expect(device.state().outputs.relay1).toBe(true);

      // A redelivered id is acknowledged again but not obeyed twice.
      const again = nextMessage(observer, (t, p) => t === 'devices/SIMR000001/ack' && p.includes('cmd-1'));
      await relay.publishAsync(
        'devices/SIMR000001/control',
        '{"v":1,"id":"cmd-1","command":"relay","pin":25,"state":"on"}',
        { qos: 1 },
      );
      await again;
      expect(device.state().commandsApplied).toBe(1);
    });

    it('refuses invalid commands with an error acknowledgement', async () => {
      await start(flash('SIML000002', 'LED'));
      const ack = nextMessage(observer, (t, p) => t === 'devices/SIML000002/ack' && p.includes('bad-1'));
      await relay.publishAsync(
        'devices/SIML000002/control',
        '{"v":1,"id":"bad-1","command":"relay","pin":25,"state":"on"}',
        { qos: 1 },
      );
      const parsed = decodePayload(ackPayloadSchema, (await ack).payload);
      expect(parsed.ok && parsed.value).toMatchObject({ ok: false, error: { code: 'invalid_command' } });

      const ok = nextMessage(observer, (t, p) => t === 'devices/SIML000002/ack' && p.includes('led-1'));
      await relay.publishAsync(
        'devices/SIML000002/control',
        '{"v":1,"id":"led-1","command":"led","brightness":40,"color":"#FF0000"}',
        { qos: 1 },
      );
      expect(JSON.parse((await ok).payload).state.outputs).toEqual({
        power: false,
        brightness: 40,
        color: '#ff0000',
      });
    });

    it('a sensor reports plausible readings, and heartbeats spaced by its update interval', async () => {
      const heartbeats: number[] = [];
      const valid: boolean[] = [];
      const onHeartbeat = (topic: string, payload: Buffer) => {
        if (topic !== 'devices/SIMS000003/heartbeat') return;
        valid.push(decodePayload(heartbeatPayloadSchema, payload.toString()).ok);
        heartbeats.push(performance.now());
      };
      observer.on('message', onHeartbeat);
      await start(flash('SIMS000003', 'Sensor'));
      await waitFor(() => heartbeats.length >= 6, 10_000, 'six heartbeats');
      observer.off('message', onHeartbeat);
      expect(valid.every(Boolean)).toBe(true);
      // update_interval 5 s at 20 ms per protocol second: one heartbeat every 100 ms. The median spacing is
      // checked (one stalled event loop cannot move it); the bounds are wide because the machine is shared.
      const gaps = heartbeats.slice(1).map((at, i) => at - heartbeats[i]);
      const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
      expect(median).toBeGreaterThanOrEqual(80);
      expect(median).toBeLessThan(400);
      const status = await nextMessage(observer, (t) => t === 'devices/SIMS000003/status');
      const parsed = decodePayload(statusPayloadFor('Sensor'), status.payload);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.value.readings?.temperature).toBeGreaterThan(10);
        expect(parsed.value.readings?.temperature).toBeLessThan(40);
        expect(Object.keys(parsed.value.readings ?? {}).sort()).toEqual([
          'humidity',
          'pressure',
          'temperature',
        ]);
      }
    });

    it('a device with the no_ack fault receives commands but never answers', async () => {
      const device = await start(flash('SIMN000005', '4Relay'));
      await device.injectFault({ kind: 'no_ack' });
      const acks: string[] = [];
      const onMessage = (topic: string, payload: Buffer) => {
        if (topic === 'devices/SIMN000005/ack') acks.push(payload.toString());
      };
      observer.on('message', onMessage);
      const received = new Promise((resolve) => device.events.once('received', resolve));
      await relay.publishAsync(
        'devices/SIMN000005/control',
        '{"v":1,"id":"lost-1","command":"all","state":"on"}',
        {
          qos: 1,
        },
      );
      expect(await received).toBe('lost-1');
      device.recover();
      const answered = nextMessage(
        observer,
        (t, p) => t === 'devices/SIMN000005/ack' && p.includes('after-1'),
      );
      await relay.publishAsync('devices/SIMN000005/control', '{"v":1,"id":"after-1","command":"ping"}', {
        qos: 1,
      });
      await answered;
      observer.off('message', onMessage);
      expect(acks.some((a) => a.includes('lost-1'))).toBe(false);
      expect(device.state().outputs.relay2).toBe(false);
    });

    it('a dropped device is marked offline by its last will and comes back after recovery', async () => {
      const device = await start(flash('SIMD000004', '4Relay'));
      const will = nextMessage(
        observer,
        (t, p) => t === 'devices/SIMD000004/status' && p.includes('"online":false'),
      );
      await device.injectFault({ kind: 'drop' });
      expect(JSON.parse((await will).payload)).toEqual({ v: 1, online: false });
      const back = nextMessage(
        observer,
        (t, p) => t === 'devices/SIMD000004/status' && p.includes('"online":true'),
      );
      device.recover();
      await back;
      await device.waitConnected(5000);
      expect(device.state().connects).toBe(2);
    });
  });
}
