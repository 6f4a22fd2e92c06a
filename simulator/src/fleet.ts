import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FlashConfig, flashConfigSchema } from '@esp32cloud/protocol';
import { type SimulatedDevice, type SimulatorOptions, startSimulatedDevice } from './device.ts';
import { simulatorLogs } from './logs.ts';

// Many devices at once: every provisioning file in a directory (the provision CLI's output), or a list.

/** Reads every `*.json` FlashConfig in `dir` (other JSON files, e.g. a batch manifest, are skipped). */
export function readFlashConfigs(dir: string): FlashConfig[] {
  const configs: FlashConfig[] = [];
  for (const name of readdirSync(dir).sort()) {
    // The provision CLI writes <serial>.json per device beside batch-<id>.json manifests.
    if (!name.endsWith('.json') || name.startsWith('batch-')) continue;
    const file = join(dir, name);
    try {
      const parsed = flashConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) configs.push(parsed.data);
      else simulatorLogs.fileSkipped(file, 'not a device provisioning file');
    } catch (error) {
      simulatorLogs.fileSkipped(file, (error as Error).message);
    }
  }
  return configs;
}

export interface SimulatedFleet {
  devices: SimulatedDevice[];
  waitConnected(timeoutMs?: number): Promise<void>;
  stop(options?: { graceful?: boolean }): Promise<void>;
}

export function startFleet(configs: FlashConfig[], options: SimulatorOptions = {}): SimulatedFleet {
  const devices = configs.map((config) => startSimulatedDevice(config, options));
  simulatorLogs.fleetStarted(devices.length, options.brokerUrl ?? configs[0]?.broker_url ?? '');
  return {
    devices,
    async waitConnected(timeoutMs = 30_000) {
      await Promise.all(devices.map((d) => d.waitConnected(timeoutMs)));
    },
    async stop(stopOptions) {
      await Promise.all(devices.map((d) => d.stop(stopOptions)));
    },
  };
}
