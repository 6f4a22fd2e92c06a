import { commandOutcome, firestorePaths, topics } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { Timestamp } from 'firebase-admin/firestore';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from '../../scripts/soak/rig.ts';
import { runSoak } from '../../scripts/soak/soak.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// Issue 17's recovery table (docs/RELIABILITY.md), each row against real separate processes: the broker
// (Mosquitto unless it cannot run here), the bridge (bridge/src/main.ts) and the Node-native Firestore emulator,
// killed and restarted mid-traffic, with simulated devices on their own connections and credentials.

const kind = brokerUnderTest('recovery');
process.env.SIMULATOR_LOG ??= 'silent';
process.env.BROKER_LOG ??= 'silent';

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe(`broker killed and restarted (${kind})`, () => {
  let rig: Rig;
  const devices: SimulatedDevice[] = [];

  beforeAll(async () => {
    rig = await startRig({ kind, bridgeEnv: { BRIDGE_SWEEP_INTERVAL_MS: '1000' } });
    // A 2 s update interval: a device that vanished with the broker is found offline within seconds.
    const configs = (await rig.provision(20, 'BRK')).map((c) => ({ ...c, update_interval: 2 }));
    for (const config of configs) devices.push(startSimulatedDevice(config, { brokerUrl: rig.broker.url }));
    await Promise.all(devices.map((d) => d.waitConnected(60_000)));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.stop({ graceful: false })));
    await rig?.stop();
  });

  it('brings every device back online within 10 s of its return, resubscribes the bridge, and leaves no device wrongly online', async () => {
    const online = async () =>
      (await rig.db.collection('devices').where('state.online', '==', true).count().get()).data().count;
    await until('all devices online', async () => (await online()) === devices.length, 60_000);

    await rig.killBroker();
    // One device loses power while the broker is away: no last will can be published for it.
    const gone = devices[0];
    await gone.stop({ graceful: false });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const reconnectedAt = new Map<SimulatedDevice, number>();
    for (const device of devices.slice(1))
      device.events.once('connected', () => reconnectedAt.set(device, Date.now()));
    await rig.startBrokerAgain();
    const back = Date.now();

    // Every live device reconnects within 10 s (reconnect backoff capped at 8 s, docs/DEVICE_PROTOCOL.md).
    await until(
      'every live device reconnected',
      async () => reconnectedAt.size === devices.length - 1,
      10_000,
    );
    const slowest = Math.max(...[...reconnectedAt.values()].map((at) => at - back));
    console.info(`broker restart → all ${devices.length - 1} devices reconnected in ${slowest} ms`);
    expect(slowest).toBeLessThanOrEqual(10_000);

    // The bridge is back on its subscriptions: a status reported now reaches Firestore.
    const probe = devices[1];
    const ref = rig.db.doc(firestorePaths.device(`ESP32_${probe.state().serial}`));
    const relay = mqtt.connect(rig.broker.url, {
      ...rig.broker.serviceCredentials.functionsRelay,
      protocolVersion: rig.broker.mqttVersion,
    });
    await new Promise<void>((resolve) => relay.once('connect', () => resolve()));
    await rig.db.doc(firestorePaths.command(`ESP32_${probe.state().serial}`, 'after-restart')).set({
      id: 'after-restart',
      command: 'relay',
      params: { relay: 3, state: 'on' },
      status: 'sent',
      sent_at: Timestamp.now(),
      created_at: Timestamp.now(),
    });
    await relay.publishAsync(
      topics.control(probe.state().serial),
      JSON.stringify({ v: 1, id: 'after-restart', command: 'relay', relay: 3, state: 'on' }),
      { qos: 1 },
    );
    await until(
      'the command acked and the new state written',
      async () => (await ref.get()).get('state.outputs.relay3') === true,
      20_000,
    );
    await relay.endAsync();

    // Nobody wrongly offline, and the device that vanished is not left online.
    await until('live devices online', async () => (await online()) === devices.length - 1, 20_000);
    await until(
      'the vanished device marked offline',
      async () =>
        (await rig.db.doc(firestorePaths.device(`ESP32_${gone.state().serial}`)).get()).get(
          'state.online',
        ) === false,
      30_000,
    );
  }, 180_000);
});

describe(`bridge, Firestore and commands under faults (${kind})`, () => {
  it('loses no QoS 1 ack or status when the bridge is killed mid-stream and restarted', async () => {
    const report = await runSoak({
      devices: 30,
      rate: 30,
      minutes: 0.5,
      kind,
      breaks: ['bridge'],
      commandTimeoutMs: 10_000,
      log: () => undefined,
    });
    console.info(`bridge kill: ${JSON.stringify({ ...report, latency: undefined, events: undefined })}`);
    expect(report.commandsSent).toBeGreaterThan(100);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    // Every ack a device sent while the bridge was away was delivered to it afterwards and recorded once.
    expect(report.ackedInFirestore).toBe(report.ackedByDevices);
  }, 240_000);

  it('retries while Firestore is unreachable for 30 s and catches up: nothing lost or written twice', async () => {
    const report = await runSoak({
      devices: 30,
      rate: 30,
      minutes: 1,
      kind,
      breaks: ['firestore'],
      firestoreOutageMs: 30_000,
      commandTimeoutMs: 10_000,
      log: () => undefined,
    });
    console.info(`firestore outage: ${JSON.stringify({ ...report, latency: undefined, events: undefined })}`);
    // Meanwhile new commands could not be recorded (the API answers 503: functions/test/router.test.ts).
    expect(report.refusedFirestoreDown).toBeGreaterThan(0);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    expect(report.ackedInFirestore).toBe(report.ackedByDevices);
  }, 300_000);

  it('ends a command in flight when its device drops as timed out, even across a bridge restart', async () => {
    const rig = await startRig({ kind, bridgeEnv: { BRIDGE_COMMAND_TIMEOUT_MS: '3000' } });
    const [config] = await rig.provision(1, 'DROP');
    const device = startSimulatedDevice(config, { brokerUrl: rig.broker.url });
    try {
      await device.waitConnected(30_000);
      const relay = mqtt.connect(rig.broker.url, {
        ...rig.broker.serviceCredentials.functionsRelay,
        protocolVersion: rig.broker.mqttVersion,
      });
      await new Promise<void>((resolve) => relay.once('connect', () => resolve()));
      const send = async (id: string) => {
        await rig.db.doc(firestorePaths.command(config.device_id, id)).set({
          id,
          command: 'relay',
          params: { relay: 1, state: 'on' },
          status: 'sent',
          sent_at: Timestamp.now(),
          created_at: Timestamp.now(),
        });
        await relay.publishAsync(
          topics.control(config.serial_number),
          JSON.stringify({ v: 1, id, command: 'relay', relay: 1, state: 'on' }),
          { qos: 1 },
        );
      };
      // The device takes the command and drops before answering.
      await device.injectFault({ kind: 'no_ack' });
      await send('in-flight-1');
      await device.stop({ graceful: false });
      const outcome = (id: string) => async () => {
        const doc = (await rig.db.doc(firestorePaths.command(config.device_id, id)).get()).data();
        return doc && commandOutcome(doc) !== 'pending' ? commandOutcome(doc) : null;
      };
      expect(await until('in-flight-1 ended', outcome('in-flight-1'), 20_000)).toBe('timed_out');

      // The same with the bridge killed while the command waits: the restarted bridge's sweep ends it.
      const again = startSimulatedDevice(config, { brokerUrl: rig.broker.url });
      await again.waitConnected(30_000);
      await again.injectFault({ kind: 'no_ack' });
      await send('in-flight-2');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await rig.killBridge();
      await again.stop({ graceful: false });
      await rig.startBridge();
      expect(await until('in-flight-2 ended', outcome('in-flight-2'), 30_000)).toBe('timed_out');
      await relay.endAsync();
    } finally {
      await device.stop({ graceful: false });
      await rig.stop();
    }
  }, 180_000);
});
