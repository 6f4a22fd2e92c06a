import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@esp32cloud/broker';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { BROKER_KINDS, waitFor } from '@esp32cloud/broker/testing';
import { requireProgram } from '@esp32cloud/tests/harness/programs';
import { describe, expect, it } from 'vitest';
import { startSimulatedDevice } from '../src/index.ts';

// A broker restart (deploy, crash) must not strand the fleet: devices retry with capped exponential backoff
// and come back on their own, with their credentials intact (the dynamic-security file persists).

const hasMosquitto = requireProgram('mosquitto');

for (const kind of BROKER_KINDS) {
  describe.skipIf(kind === 'mosquitto' && !hasMosquitto)(`reconnect after a ${kind} broker restart`, () => {
    it('the device reconnects by itself with backoff', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `reconnect-${kind}-`));
      let broker = await startBroker({ kind, port: 0, dataDir });
      const port = broker.port;
      const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials });
      await admin.addDevice({ serial: 'RECON00001', password: 'pw-recon' });
      await admin.close();
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
        { backoff: { initialMs: 50, maxMs: 400 } },
      );
      try {
        await device.waitConnected(5000);
        await broker.stop();
        await waitFor(() => !device.state().connected, 5000, 'disconnect noticed');
        broker = await startBroker({ kind, port, dataDir });
        await waitFor(() => device.state().connected, 10_000, 'reconnected');
        expect(device.state().connects).toBe(2);
      } finally {
        await device.stop({ graceful: false });
        await broker.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
