import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceType } from '@esp32cloud/protocol';
import { repoRoot } from '../lib/firebase-emulators.ts';
import type { Manifest, ManifestEntry } from '../provision/output.ts';

// The simulated devices of `npm start`: one of each catalogue type, provisioned by the real provision CLI (so
// the start-up table's setup links carry real claim codes) into a folder the simulator then runs.

export const SEED_BATCHES: Array<{ type: DeviceType; batch: string }> = [
  { type: '4Relay', batch: 'local-4relay' },
  { type: 'LED', batch: 'local-led' },
  { type: 'Sensor', batch: 'local-sensor' },
];

export interface SeedDevice extends ManifestEntry {
  device_type: DeviceType;
}

export async function provisionSeedDevices(
  out: string,
  env: Record<string, string>,
  appUrl: string,
  brokerUrl: string,
): Promise<SeedDevice[]> {
  for (const { type, batch } of SEED_BATCHES) {
    await runProvision(
      [
        '--type',
        type,
        '--count',
        '1',
        '--firmware',
        '1.0.0',
        '--batch',
        batch,
        '--out',
        out,
        '--app-url',
        appUrl,
      ],
      { ...env, DEVICE_BROKER_URL: brokerUrl },
    );
  }
  return readSeedDevices(out);
}

export function readSeedDevices(out: string): SeedDevice[] {
  return readdirSync(out)
    .filter((name) => name.startsWith('batch-') && name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const manifest = JSON.parse(readFileSync(path.join(out, name), 'utf8')) as Manifest;
      return manifest.devices.map((device) => ({ ...device, device_type: manifest.device_type }));
    });
}

function runProvision(args: string[], env: Record<string, string>): Promise<void> {
  const tsx = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, 'scripts/provision.ts', ...args, '--quiet'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`provisioning seed devices failed (exit ${code}):\n${errors}`)),
    );
  });
}
