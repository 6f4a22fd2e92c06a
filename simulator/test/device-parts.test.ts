import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { nextMessage, serviceClient, startTestBroker, waitFor } from '@esp32cloud/broker/testing';
import { type FlashConfig, LAST_WILL_PAYLOAD, topics } from '@esp32cloud/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { malformedMessages, type SimulatedDevice, startSimulatedDevice } from '../src/index.ts';

// The device's parts (state, reporting, command handling, faults, connection) seen from the broker: the
// behaviours simulator.test.ts does not already drive, against the embedded broker.

const SERIALS = ['PART000001', 'PART000002', 'PART000003', 'PART000004', 'PART000005', 'PART000006'];

describe('simulated device parts', () => {
  let running: Awaited<ReturnType<typeof startTestBroker>>;
  let observer: MqttClient;
  let relay: MqttClient;
  const devices: SimulatedDevice[] = [];
  const start = async (serial: string, device_type: FlashConfig['device_type']) => {
    const device = startSimulatedDevice(
      {
        v: 1,
        serial_number: serial,
        device_id: `ESP32_${serial.slice(-6)}`,
        device_type,
        broker_url: running.broker.url,
        username: serial,
        password: `pw-${serial}`,
        update_interval: 5,
      },
      { msPerSecond: 20, keepaliveSeconds: 1, backoff: { initialMs: 50, maxMs: 200 } },
    );
    devices.push(device);
    await device.waitConnected(5000);
    return device;
  };
  const control = (serial: string, body: object) =>
    relay.publishAsync(topics.control(serial), JSON.stringify({ v: 1, ...body }), { qos: 1 });
  const ackFor = (serial: string, id: string) =>
    nextMessage(observer, (t, p) => t === topics.ack(serial) && p.includes(`"${id}"`)).then((m) =>
      JSON.parse(m.payload),
    );

  beforeAll(async () => {
    running = await startTestBroker('embedded');
    const admin = await BrokerAdmin.connect({ url: running.broker.url, ...running.broker.adminCredentials });
    await admin.addDevices(SERIALS.map((serial) => ({ serial, password: `pw-${serial}` })));
    await admin.close();
    observer = await serviceClient(running.broker, 'admin');
    await observer.subscribeAsync(['devices/#', 'admin/devices/#'], { qos: 1 });
    relay = await serviceClient(running.broker, 'functionsRelay');
  });
  afterAll(async () => {
    for (const d of devices) await d.stop({ graceful: false });
    observer?.end(true);
    relay?.end(true);
    await running?.stop();
  });

  it('set_interval changes the reporting period and read_now answers with a fresh sample', async () => {
    const serial = SERIALS[0];
    const device = await start(serial, 'Sensor');
    const applied: string[] = [];
    device.events.on('command', (c: { command: string }) => applied.push(c.command));

    const interval = ackFor(serial, 'int-1');
    await control(serial, { id: 'int-1', command: 'set_interval', seconds: 7 });
    expect(await interval).toMatchObject({ ok: true, result: { update_interval: 7 } });
    expect(device.state().updateInterval).toBe(7);
    const status = await nextMessage(observer, (t) => t === topics.status(serial));
    expect(JSON.parse(status.payload).update_interval).toBe(7);

    const read = ackFor(serial, 'read-1');
    await control(serial, { id: 'read-1', command: 'read_now' });
    const answer = await read;
    expect(Object.keys(answer.result.readings).sort()).toEqual(['humidity', 'pressure', 'temperature']);
    expect(answer.state.readings).toEqual(answer.result.readings);
    expect(applied).toEqual(['set_interval', 'read_now']);
    expect(device.state()).toMatchObject({ commandsApplied: 2, acksSent: 2 });
  });

  it('a malformed control payload is logged and refused only when it carries a usable id', async () => {
    const serial = SERIALS[1];
    const device = await start(serial, 'LED');
    const logged = nextMessage(
      observer,
      (t, p) => t === topics.logs(serial) && p.includes('control payload rejected'),
    );
    const refused = ackFor(serial, 'broken-1');
    await relay.publishAsync(topics.control(serial), '{"v":1,"id":"broken-1"}', { qos: 1 });
    expect(await refused).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(JSON.parse((await logged).payload)).toMatchObject({ level: 'warn' });

    // No id to answer: logged only.
    const second = nextMessage(
      observer,
      (t, p) => t === topics.logs(serial) && p.includes('control payload rejected'),
    );
    await relay.publishAsync(topics.control(serial), 'not json', { qos: 1 });
    await second;
    expect(device.state().acksSent).toBe(1);
    expect(device.state().commandsApplied).toBe(0);
  });

  it('a local change and an explicit report publish the status at once', async () => {
    const serial = SERIALS[2];
    const device = await start(serial, '4Relay');
    const changed = nextMessage(
      observer,
      (t, p) => t === topics.status(serial) && p.includes('"relay3":true'),
    );
    await device.setLocalOutputs({ relay3: true });
    expect(JSON.parse((await changed).payload)).toMatchObject({ online: true, outputs: { relay3: true } });

    const heartbeat = nextMessage(observer, (t) => t === topics.heartbeat(serial));
    const status = nextMessage(observer, (t) => t === topics.status(serial));
    await device.report();
    expect(JSON.parse((await heartbeat).payload)).toMatchObject({ v: 1 });
    expect(JSON.parse((await status).payload).outputs.relay3).toBe(true);
  });

  it('the silent fault stops heartbeats while the session stays up, until recovery', async () => {
    const serial = SERIALS[3];
    const device = await start(serial, 'Sensor');
    await nextMessage(observer, (t) => t === topics.heartbeat(serial));
    await device.injectFault({ kind: 'silent' });
    expect(device.state().faults).toEqual(['silent']);
    const heard: string[] = [];
    const listen = (topic: string) => {
      if (topic === topics.heartbeat(serial)) heard.push(topic);
    };
    observer.on('message', listen);
    // Ten update intervals (5 protocol seconds × 20 ms) of silence.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    observer.off('message', listen);
    expect(heard).toEqual([]);
    expect(device.state().connected).toBe(true);
    device.recover();
    expect(device.state().faults).toEqual([]);
    await nextMessage(observer, (t) => t === topics.heartbeat(serial));
  });

  it('the garbage fault publishes the malformed corpus on the device topics', async () => {
    const serial = SERIALS[4];
    const device = await start(serial, 'LED');
    const corpus = malformedMessages(serial).slice(0, 5);
    const seen: string[] = [];
    const listen = (topic: string, payload: Buffer) => {
      if (topic !== topics.control(serial)) seen.push(`${topic} ${payload.toString()}`);
    };
    observer.on('message', listen);
    await device.injectFault({ kind: 'garbage', count: 5 });
    await waitFor(
      () => corpus.every((m) => seen.includes(`${m.topic} ${m.payload.toString()}`)),
      5000,
      'corpus',
    );
    observer.off('message', listen);
    // A burst, not a lasting state.
    expect(device.state().faults).toEqual([]);
  });

  it('a timed drop comes back by itself; a graceful stop publishes the offline status', async () => {
    const serial = SERIALS[5];
    const device = await start(serial, 'LED');
    const disconnected = new Promise((resolve) => device.events.once('disconnected', resolve));
    await device.injectFault({ kind: 'drop', forMs: 100 });
    await disconnected;
    expect(device.state().connected).toBe(false);
    await waitFor(() => device.state().connected, 5000, 'back after the drop');
    expect(device.state()).toMatchObject({ connects: 2, faults: [] });

    const offline = nextMessage(
      observer,
      (t, p) => t === topics.status(serial) && p === JSON.stringify(LAST_WILL_PAYLOAD),
    );
    await device.stop();
    await offline;
    expect(device.state().connected).toBe(false);
  });
});
