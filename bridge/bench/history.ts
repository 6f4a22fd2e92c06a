import { connectClient } from '@esp32cloud/broker/testing';
import { DAY_MS, type DeviceType, type FlashConfig, topics } from '@esp32cloud/protocol';
import { benchBrokerKind } from '@esp32cloud/tests/harness/broker-kind';
import type { MqttClient } from 'mqtt';
import { type RunningBridge, startBridge } from '../src/index.ts';
import { CONTROLLED_CLOCK_SETTINGS, startFixture } from '../test/bridge-fixtures.ts';

// Figures of issue 13 (and the write budget of issue 21): Firestore writes per device per day, everything the
// bridge writes for that device, at 30 s and 5 s reporting, for a relay board (heartbeats, four switches a day)
// and a sensor whose readings change at every report. A whole simulated day on the bridge's own clock (set
// before each minute's messages are sent), real broker, real Firestore emulator, production windows: measured,
// not extrapolated. `npm run bench -- history`.

process.env.BRIDGE_LOG ??= 'silent';
process.env.BROKER_LOG ??= 'silent';

const DAY0 = Date.UTC(2026, 10, 1);
let now = DAY0;

async function simulatedDay(
  bridge: RunningBridge,
  client: MqttClient,
  flash: FlashConfig,
  type: DeviceType,
  intervalSeconds: number,
  day: number,
) {
  const perMinute = 60 / intervalSeconds;
  const start = DAY0 + day * DAY_MS;
  const before = bridge.stats().writes;
  const send = async (topic: string, payloads: object[]) => {
    const target = bridge.stats().processed + bridge.stats().dropped + payloads.length;
    for (const payload of payloads) client.publish(topic, JSON.stringify(payload), { qos: 0 });
    while (bridge.stats().processed + bridge.stats().dropped < target)
      await new Promise((r) => setTimeout(r, 1));
  };
  const off = { relay1: false, relay2: false, relay3: false, relay4: false };
  for (let minute = 0; minute < 1440; minute++) {
    now = start + minute * 60_000;
    if (type === 'Sensor') {
      const batch = Array.from({ length: perMinute }, (_, i) => ({
        v: 1,
        online: true,
        readings: {
          temperature: 20 + ((minute * perMinute + i) % 97) / 10,
          humidity: 50 + (minute % 30),
          pressure: 1008,
        },
        update_interval: intervalSeconds,
      }));
      await send(topics.status(flash.serial_number), batch);
    } else {
      // Four switches a day: relay 1 on at 07:00 and off at 07:30, on at 19:00 and off at 22:00.
      const switching = { 420: true, 450: false, 1140: true, 1320: false }[minute];
      if (minute === 0 || switching !== undefined)
        await send(topics.status(flash.serial_number), [
          {
            v: 1,
            online: true,
            outputs: { ...off, relay1: switching ?? false },
            update_interval: intervalSeconds,
          },
        ]);
      else
        await send(
          topics.heartbeat(flash.serial_number),
          Array.from({ length: perMinute }, () => ({ v: 1 })),
        );
    }
    await bridge.idle();
  }
  now = start + DAY_MS;
  await bridge.flushUsage();
  return bridge.stats().writes - before;
}

async function goOffline(bridge: RunningBridge, client: MqttClient, flash: FlashConfig) {
  const target = bridge.stats().processed + 1;
  client.publish(topics.status(flash.serial_number), JSON.stringify({ v: 1, online: false }), { qos: 0 });
  while (bridge.stats().processed < target) await new Promise((r) => setTimeout(r, 1));
  await bridge.idle();
}

const fx = await startFixture(benchBrokerKind());
const bridge = await startBridge(fx.bridgeConfig(CONTROLLED_CLOCK_SETTINGS), { clock: () => now });
const clients: MqttClient[] = [];
let day = 0;
try {
  for (const type of ['4Relay', 'Sensor'] as DeviceType[]) {
    for (const interval of [30, 5]) {
      const flash = await fx.provision(`BHI${type.slice(0, 1)}${String(interval).padStart(6, '0')}`, type);
      const client = await connectClient(fx.broker.url, {
        clientId: flash.serial_number,
        username: flash.username,
        password: flash.password,
        protocolVersion: fx.broker.mqttVersion,
      });
      clients.push(client);
      // Day one includes the first "online" write; day two is a steady day.
      await simulatedDay(bridge, client, flash, type, interval, day++);
      const dayId = new Date(DAY0 + day * DAY_MS).toISOString().slice(0, 10);
      const writes = await simulatedDay(bridge, client, flash, type, interval, day++);
      const base = `devices/${flash.device_id}`;
      const history =
        (await fx.db.collection(`${base}/history_hours`).where('day', '==', dayId).get()).size +
        ((await fx.db.doc(`${base}/history_days/${dayId}`).get()).exists ? 1 : 0);
      // Off the air before the next device's days, or its online time would keep being written.
      await goOffline(bridge, client, flash);
      console.log(
        `Firestore writes per device per day, ${type} reporting every ${interval} s (a whole simulated steady day, everything the bridge writes for it): ${writes} (history ${history}, device document ${writes - history}; naive one per message: ${86_400 / interval})`,
      );
    }
  }
} finally {
  for (const client of clients) client.end(true);
  await bridge.stop();
  await fx.stop();
}
process.exit(0);
