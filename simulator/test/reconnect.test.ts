import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@esp32cloud/broker';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { BROKER_KINDS, waitFor } from '@esp32cloud/broker/testing';
import { requireMosquitto } from '@esp32cloud/tests/harness/broker-kind';
import { describe, expect, it } from 'vitest';
import { startSimulatedDevice } from '../src/index.ts';

// A broker restart (deploy, crash) must not strand the fleet: devices retry with capped exponential backoff
// and come back on their own, with their credentials intact (the dynamic-security file persists).

const hasMosquitto = requireMosquitto();

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`reconnect after a ${kind} broker restart`, () => {
    it('the device reconnects by itself, waiting twice as long after each failed attempt up to the cap', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `reconnect-${kind}-`));
      let broker = await startBroker({ kind, port: 0, dataDir });
      const port = broker.port;
      const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
      await admin.addDevice({ serial: 'RECON00001', password: 'pw-recon' });
      await admin.close();
      // random() = 1 takes the top of every jitter range: the n-th retry waits exactly min(cap, initial × 2^n).
      const backoff = { initialMs: 200, maxMs: 800 };
      const device = startSimulatedDevice(
        {
          v: 1,
          serial_number: 'RECON00001',
          device_id: 'ESP32_REC001',
          device_type: 'LED',
          broker_url: broker.url,
          username: 'RECON00001',
          password: 'pw-recon',
          update_interval: 30,
        },
        { backoff, random: () => 1 },
      );
      // While the broker is down its port is held by a listener that notes each connection attempt and
      // drops it, as a dead broker would.
      const attempts: number[] = [];
      let lostAt = 0;
      let stand: Server | null = null;
      try {
        await device.waitConnected(5000);
        // The device starts its first wait when it sees the connection close.
        device.events.once('disconnected', () => {
          lostAt = performance.now();
        });
        await broker.stop();
        stand = createServer((socket) => {
          attempts.push(performance.now());
          socket.destroy();
        });
        await new Promise<void>((resolve) => stand?.listen(port, '127.0.0.1', resolve));
        await waitFor(() => lostAt > 0, 5000, 'disconnect noticed');
        await waitFor(() => attempts.length >= 5, 15_000, 'five reconnect attempts');
        await new Promise<void>((resolve) => stand?.close(() => resolve()));
        stand = null;
        broker = await startBroker({ kind, port, dataDir });
        await waitFor(() => device.state().connected, 10_000, 'reconnected');
        expect(device.state().connects).toBe(2);
      } finally {
        stand?.close();
        await device.stop({ graceful: false });
        await broker.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
      // Lower bounds only (a busy machine can only make waits longer): each wait is at least the backoff's.
      // The attempts seen may start after the first retry if the listener came up late; either way the
      // waits between them grow to the cap.
      const waits = attempts.map((at, i) => at - (i === 0 ? lostAt : attempts[i - 1]));
      const tolerance = 5;
      expect(waits[0]).toBeGreaterThanOrEqual(backoff.initialMs - tolerance);
      expect(waits[1]).toBeGreaterThanOrEqual(2 * backoff.initialMs - tolerance);
      expect(waits[2]).toBeGreaterThanOrEqual(backoff.maxMs - tolerance);
      expect(waits[3]).toBeGreaterThanOrEqual(backoff.maxMs - tolerance);
      // Capped: uncapped, the fourth wait would be 200 × 2^4 = 3200 ms.
      expect(waits[4]).toBeLessThan(2 * backoff.maxMs);
    });
  });
}
