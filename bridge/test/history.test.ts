import { connectClient } from '@esp32cloud/broker/testing';
import {
  DAY_MS,
  type FlashConfig,
  type HistoryDayDoc,
  type HistoryHourDoc,
  HOUR_MS,
  topics,
} from '@esp32cloud/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from '../src/index.ts';
import { type Fixture, startFixture } from './bridge-fixtures.ts';

// Device history against the real (embedded) broker and the Firestore emulator, with a clock the test holds:
// a whole simulated day runs in seconds. The device speaks from a plain MQTT client, so the test decides the
// exact time of every message (the bridge's clock is set before each batch is sent and handled).

const DAY0 = Date.UTC(2026, 10, 1);
let now = DAY0;

describe('device history written by the bridge', () => {
  let fx: Fixture;
  let bridge: RunningBridge;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    fx = await startFixture('embedded');
    bridge = await startBridge(
      fx.bridgeConfig({
        msPerSecond: 1000,
        // Production windows; the sweep and the tick are out of the way (time moves only with the test).
        lastSeenWindowMs: 60 * 60_000,
        readingsWindowMs: 20 * 60_000,
        sweepIntervalMs: 3_600_000,
        historyTickMs: 3_600_000,
      }),
      { clock: () => now },
    );
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await bridge?.stop();
    await fx?.stop();
  });

  const connectDevice = async (flash: FlashConfig) => {
    const client = await connectClient(fx.broker.url, {
      clientId: flash.serial_number,
      username: flash.username,
      password: flash.password,
      protocolVersion: fx.broker.mqttVersion,
    });
    clients.push(client);
    return client;
  };
  /** Sends `payloads` on `topic` at the current clock and waits until the bridge has handled them all. */
  const send = async (client: MqttClient, topic: string, payloads: object[]) => {
    const target = bridge.stats().processed + bridge.stats().dropped + payloads.length;
    for (const payload of payloads) client.publish(topic, JSON.stringify(payload), { qos: 0 });
    const deadline = Date.now() + 10_000;
    while (bridge.stats().processed + bridge.stats().dropped < target) {
      if (Date.now() > deadline)
        throw new Error(`bridge handled too little by ${new Date(now).toISOString()}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    await bridge.idle();
  };
  const hours = async (deviceId: string) =>
    (await fx.db.collection(`devices/${deviceId}/history_hours`).orderBy('start_ms').get()).docs.map(
      (d) => d.data() as HistoryHourDoc,
    );
  const day = async (deviceId: string, id: string) =>
    (await fx.db.doc(`devices/${deviceId}/history_days/${id}`).get()).data() as HistoryDayDoc | undefined;

  it('a sensor reporting every 5 s for a day: exact min/max/avg, 24 hours + 1 summary, ≤ 100 writes', async () => {
    const flash = await fx.provision('HIS0000001', 'Sensor');
    const client = await connectDevice(flash);
    const status = topics.status(flash.serial_number);
    const expected = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, sum: 0, count: 0 };
    const writesBefore = bridge.stats().writes;
    for (let minute = 0; minute < 1440; minute++) {
      now = DAY0 + minute * 60_000;
      const batch = [];
      for (let i = 0; i < 12; i++) {
        // A daily curve with a little noise: 12 readings a minute, every 5 s.
        const temperature =
          Math.round((24 + 6 * Math.sin((minute / 1440) * 2 * Math.PI) + (i % 3) * 0.1) * 10) / 10;
        expected.min = Math.min(expected.min, temperature);
        expected.max = Math.max(expected.max, temperature);
        expected.sum += temperature;
        expected.count++;
        batch.push({ v: 1, online: true, readings: { temperature, humidity: 55 }, update_interval: 5 });
      }
      await send(client, status, batch);
    }
    now = DAY0 + DAY_MS;
    await bridge.flushUsage();

    const stored = await hours(flash.device_id);
    expect(stored).toHaveLength(24);
    expect(stored.map((h) => h.hour)[0]).toBe('2026-11-01T00');
    for (const hour of stored) {
      expect(hour.minutes).toHaveLength(60);
      expect(hour.readings.temperature.n.every((n) => n === 12)).toBe(true);
      expect(hour.online_seconds).toBe(3600);
    }
    const summary = await day(flash.device_id, '2026-11-01');
    expect(summary?.readings.temperature).toEqual(expected);
    expect(summary!.readings.temperature.sum / summary!.readings.temperature.count).toBe(
      expected.sum / expected.count,
    );
    expect(summary?.readings.humidity).toEqual({ min: 55, max: 55, sum: 55 * 17_280, count: 17_280 });
    expect(summary).toMatchObject({ statuses: 17_280, messages: 17_280, online_seconds: 86_400 });
    const docs =
      (await fx.db.collection(`devices/${flash.device_id}/history_days`).get()).size + stored.length;
    expect(docs).toBe(25);
    // 25 history documents + the device document: online once, then readings every 20 minutes (72).
    const writes = bridge.stats().writes - writesBefore;
    expect(writes).toBe(25 + 72);
    expect(writes).toBeLessThanOrEqual(100);
    // The legacy per-day usage documents are no longer written.
    expect((await fx.db.collection(`devices/${flash.device_id}/usage`).get()).size).toBe(0);
  }, 120_000);

  it('a relay board at a 30 s heartbeat: on-time exact to the second, ≤ 50 presence writes a day', async () => {
    const day1 = DAY0 + DAY_MS;
    const flash = await fx.provision('HIS0000002', '4Relay');
    const client = await connectDevice(flash);
    const status = topics.status(flash.serial_number);
    const beat = topics.heartbeat(flash.serial_number);
    const off = { relay1: false, relay2: false, relay3: false, relay4: false };
    const at = (h: number, m: number, s: number) => day1 + h * HOUR_MS + m * 60_000 + s * 1000;
    const switches = new Map<number, Record<string, boolean>>([
      [at(8, 0, 0), { ...off, relay1: true }],
      [at(9, 30, 15), off],
      [at(23, 59, 50), { ...off, relay2: true }],
      [at(24, 0, 10), off],
    ]);
    const writesBefore = bridge.stats().writes;
    now = day1;
    await send(client, status, [{ v: 1, online: true, outputs: off, update_interval: 30 }]);
    const deviceWritesAfterStart = bridge.stats().writes;
    for (let t = day1 + 5_000; t <= at(24, 0, 10); t += 5_000) {
      now = t;
      const outputs = switches.get(t);
      if (outputs) await send(client, status, [{ v: 1, online: true, outputs, update_interval: 30 }]);
      else if ((t - day1) % 30_000 === 0) await send(client, beat, [{ v: 1, uptime_s: (t - day1) / 1000 }]);
    }
    const writesFirstDay = bridge.stats().writes - deviceWritesAfterStart;
    now = at(24, 30, 0);
    await bridge.flushUsage();

    const summary = await day(flash.device_id, '2026-11-02');
    expect(summary?.on_seconds).toEqual({ relay1: 5415, relay2: 10 });
    expect(summary?.online_seconds).toBe(86_400);
    // Every 30 s from 00:00:30 to 23:59:30, except 08:00:00 (a status then).
    expect(summary?.heartbeats).toBe(2879 - 1);
    expect((await day(flash.device_id, '2026-11-03'))?.on_seconds).toEqual({ relay2: 10 });
    const stored = await hours(flash.device_id);
    const hourOf = (id: string) => stored.find((h) => h.hour === id);
    expect(hourOf('2026-11-02T08')?.on_seconds.relay1).toBe(3600);
    expect(hourOf('2026-11-02T09')?.on_seconds.relay1).toBe(1815);
    expect(hourOf('2026-11-02T09')?.outputs.relay1).toEqual([
      [0, true],
      [1815, false],
    ]);
    expect(hourOf('2026-11-02T23')?.on_seconds.relay2).toBe(10);

    // Device document writes in the day: 3 output changes + hourly last_seen; the rest is history.
    const deviceWrites = writesFirstDay - 25;
    expect(deviceWrites).toBeLessThanOrEqual(3 + 24);
    expect(writesFirstDay + (deviceWritesAfterStart - writesBefore)).toBeLessThanOrEqual(55);
  }, 120_000);
});
