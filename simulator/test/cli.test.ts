import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { nextMessage, serviceClient, startTestBroker } from '@esp32cloud/broker/testing';
import type { FlashConfig } from '@esp32cloud/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run simulate -- --from DIR` runs every device of a provisioning directory (the provision CLI's output:
// <serial>.json per device beside a batch manifest) with its own credentials.

describe('simulate CLI', () => {
  let running: Awaited<ReturnType<typeof startTestBroker>>;
  let observer: MqttClient;
  let dir: string;

  beforeAll(async () => {
    running = await startTestBroker('embedded');
    dir = mkdtempSync(join(tmpdir(), 'provisioned-'));
    const admin = await BrokerAdmin.connect({ url: running.broker.url, ...running.broker.adminCredentials });
    for (const [serial, type] of [
      ['CLIA000001', '4Relay'],
      ['CLIB000002', 'Sensor'],
    ] as const) {
      const flash: FlashConfig = {
        v: 1,
        serial_number: serial,
        device_id: `ESP32_${serial.slice(-6)}`,
        device_type: type,
        broker_url: 'mqtt://127.0.0.1:1', // overridden by --broker
        username: serial,
        password: `pw-${serial}`,
        update_interval: 30,
      };
      await admin.addDevice({ serial, password: flash.password });
      writeFileSync(join(dir, `${serial}.json`), JSON.stringify(flash), { mode: 0o600 });
    }
    writeFileSync(join(dir, 'batch-b1.json'), JSON.stringify({ batch_id: 'b1', devices: [] }));
    await admin.close();
    observer = await serviceClient(running.broker, 'admin');
    await observer.subscribeAsync('devices/+/status', { qos: 1 });
  });
  afterAll(async () => {
    observer?.end(true);
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings every provisioned device online and powers them off on SIGTERM', async () => {
    const online = new Set<string>();
    const bothOnline = nextMessage(
      observer,
      (topic, payload) => {
        if (JSON.parse(payload).online === true) online.add(topic.split('/')[1]);
        return online.size === 2;
      },
      20_000,
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'simulator/src/cli.ts', '--from', dir, '--broker', running.broker.url],
      {
        cwd: new URL('../../', import.meta.url).pathname,
        stdio: 'ignore',
        env: { ...process.env, SIMULATOR_LOG: 'silent' },
      },
    );
    try {
      await bothOnline;
      expect([...online].sort()).toEqual(['CLIA000001', 'CLIB000002']);
      const offline = nextMessage(observer, (_t, p) => JSON.parse(p).online === false, 10_000);
      child.kill('SIGTERM');
      await offline;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
