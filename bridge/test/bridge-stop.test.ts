import { connectClient, waitFor } from '@esp32cloud/broker/testing';
import { requireMosquitto } from '@esp32cloud/tests/harness/broker-kind';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startBridge } from '../src/index.ts';
import { type Fixture, startFixture } from './bridge-fixtures.ts';

// A clean stop while devices publish faster than Firestore takes the writes: the bridge stops reading, handles
// what it took and leaves the rest with the broker. It used to wait until its queues were empty, which never
// happens while the stream outruns it (bridge.test.ts's restart case hung for 60 s on a loaded machine).

const hasMosquitto = requireMosquitto();

describe.skipIf(!hasMosquitto)('bridge stop under a flood (mosquitto)', () => {
  let fx: Fixture | undefined;
  const clients: MqttClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await fx?.stop();
  });

  it('stops while devices keep publishing, leaving what it did not take with the broker', async () => {
    fx = await startFixture('mosquitto');
    const bridge = await startBridge(fx.bridgeConfig({ maxQueuedMessages: 50 }));
    const serials = ['FLD0000001', 'FLD0000002', 'FLD0000003', 'FLD0000004'];
    for (const serial of serials) {
      const flash = await fx.provision(serial, '4Relay');
      clients.push(
        await connectClient(fx.broker.url, {
          username: flash.username,
          password: flash.password,
          clientId: serial,
          protocolVersion: 4,
        }),
      );
    }
    let stopped = false;
    let published = 0;
    const lastRelay1 = new Map<string, boolean>();
    // Bounded: 45 s of publishing at most, far longer than the bridge needs to stop; a stop that waited for
    // empty queues would outlast it.
    const flood = (async () => {
      const until = Date.now() + 45_000;
      while (!stopped && Date.now() < until) {
        // Never more than 2,000 ahead of the bridge: the backlog the next start drains stays small.
        if (published - bridge.stats().received > 2000) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        // Bursts of QoS 1 statuses per device, faster than the bridge writes them.
        await Promise.all(
          clients.map((client, i) => {
            let last: Promise<unknown> = Promise.resolve();
            for (let n = 0; n < 50; n++) {
              published++;
              const status = { v: 1, online: true, outputs: { relay1: published % 2 === 0 } };
              lastRelay1.set(serials[i], status.outputs.relay1);
              last = client.publishAsync(`devices/${serials[i]}/status`, JSON.stringify(status), { qos: 1 });
            }
            return last;
          }),
        );
      }
      return !stopped;
    })();
    await waitFor(() => bridge.stats().received > 100, 60_000, 'the flood reaching the bridge');
    await bridge.stop();
    stopped = true;
    const floodRanOut = await flood;
    expect(floodRanOut).toBe(false);
    expect(bridge.stats().processed).toBeGreaterThan(0);
    expect(published).toBeGreaterThan(bridge.stats().received);

    // What the stopped bridge refused is with the broker: the next start ends on each device's last status.
    const again = await startBridge(fx.bridgeConfig());
    for (const serial of serials) {
      await waitFor(
        async () =>
          (await fx?.db.doc(`devices/ESP32_${serial.slice(-6)}`).get())?.get('state.outputs.relay1') ===
          lastRelay1.get(serial),
        60_000,
        `${serial}'s last status`,
      );
    }
    await again.stop();
  }, 150_000);
});
