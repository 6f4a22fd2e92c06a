import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { FlashConfig, Outputs } from '@esp32cloud/protocol';
import { repoRoot } from '../lib/firebase-emulators.ts';
import { tsxLoader } from '../start/child-part.ts';

// The soak's simulated fleet spread over generator processes (generator.ts), each running a slice of the
// devices with the simulator's own code: one Node process cannot hold 10,000 MQTT connections and their
// timers on this machine (docs/SCALING.md). Each generator connects its slice with bounded concurrency and
// reports over IPC, in batches, every (re)connection and every command a device applied; at the end it
// hands over each device's outputs.

/** Parent → generator. */
export type GeneratorCommand =
  | {
      type: 'start';
      configs: FlashConfig[];
      brokerUrl: string;
      concurrency: number;
      /** Devices started per second by this generator (0: as fast as `concurrency` allows). */
      connectRate: number;
      connectTimeoutMs: number;
    }
  | { type: 'outputs' }
  | { type: 'stop' };

/** Generator → parent. */
export type GeneratorReport =
  | { type: 'ready' }
  /** Devices connected (first time or again), with the time (ms since epoch) each one was. */
  | { type: 'connected'; serials: string[]; at: number[] }
  /** Commands applied: serial, command id, the device's outputs (JSON) right after. */
  | { type: 'commands'; items: Array<[string, string, string]> }
  | { type: 'outputs'; outputs: Array<[string, Outputs]> };

export interface FleetOptions {
  brokerUrl: string;
  /** Generator processes (default: one per 2,500 devices, at least 1). */
  generators?: number;
  /** Devices connecting at once in each generator (default 100). */
  concurrency?: number;
  /**
   * Devices started per second by the whole fleet (default: no limit beyond `concurrency`). A fleet coming
   * online faster than the bridge can look devices up and write their presence overloads the bridge's
   * Firestore client (docs/SCALING.md), as a real fleet after a regional power cut would.
   */
  connectRate?: number;
  /** How long a device's first connection may take before its slot goes to the next (it keeps retrying). */
  connectTimeoutMs?: number;
}

export interface GeneratorFleet {
  size: number;
  generators: number;
  /** 'connected' (serial, at ms), 'command' (serial, command id, outputs JSON). */
  events: EventEmitter;
  /** Devices that have connected at least once. */
  connectedOnce(): number;
  /** Resolves when every device has connected once; rejects after timeoutMs with the count reached. */
  waitAllConnected(timeoutMs: number, progress?: (connected: number) => void): Promise<void>;
  /** Each device's current outputs, from its generator. */
  outputs(): Promise<Map<string, Outputs>>;
  pids(): number[];
  stop(): Promise<void>;
}

export function defaultGenerators(devices: number): number {
  return Math.max(1, Math.ceil(devices / 2500));
}

export async function startGeneratorFleet(
  configs: FlashConfig[],
  options: FleetOptions,
): Promise<GeneratorFleet> {
  const count = Math.max(
    1,
    Math.min(options.generators ?? defaultGenerators(configs.length), configs.length),
  );
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const seen = new Set<string>();
  const children: ChildProcess[] = [];
  const outputWaiters: Array<(entries: Array<[string, Outputs]>) => void> = [];

  const onReport = (report: GeneratorReport) => {
    if (report.type === 'connected') {
      report.serials.forEach((serial, i) => {
        seen.add(serial);
        events.emit('connected', serial, report.at[i]);
      });
    } else if (report.type === 'commands') {
      for (const [serial, id, outputs] of report.items) events.emit('command', serial, id, outputs);
    } else if (report.type === 'outputs') outputWaiters.shift()?.(report.outputs);
  };

  for (let g = 0; g < count; g++) {
    const child = spawn(process.execPath, ['--import', tsxLoader, 'scripts/soak/generator.ts'], {
      cwd: repoRoot,
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`generator ${g + 1} exited at start (code ${code})`)));
      child.on('message', (report: GeneratorReport) => {
        if (report.type === 'ready') resolve();
        else onReport(report);
      });
    });
    child.removeAllListeners('exit');
  }
  // Contiguous slices, started together: every generator ramps its own slice at once.
  const per = Math.ceil(configs.length / count);
  children.forEach((child, g) => {
    child.send({
      type: 'start',
      configs: configs.slice(g * per, (g + 1) * per),
      brokerUrl: options.brokerUrl,
      concurrency: options.concurrency ?? 100,
      connectRate: (options.connectRate ?? 0) / count,
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    } satisfies GeneratorCommand);
  });

  return {
    size: configs.length,
    generators: count,
    events,
    connectedOnce: () => seen.size,
    async waitAllConnected(timeoutMs, progress) {
      const deadline = Date.now() + timeoutMs;
      let lastProgress = Date.now();
      while (seen.size < configs.length) {
        if (Date.now() > deadline)
          throw new Error(`${seen.size} of ${configs.length} devices connected within ${timeoutMs} ms`);
        if (progress && Date.now() - lastProgress >= 10_000) {
          lastProgress = Date.now();
          progress(seen.size);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async outputs() {
      const all = new Map<string, Outputs>();
      for (const child of children) {
        const entries = await new Promise<Array<[string, Outputs]>>((resolve) => {
          outputWaiters.push(resolve);
          child.send({ type: 'outputs' } satisfies GeneratorCommand);
        });
        for (const [serial, outputs] of entries) all.set(serial, outputs);
      }
      return all;
    },
    pids: () => children.map((c) => c.pid ?? 0).filter((pid) => pid > 0),
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          if (child.connected) child.send({ type: 'stop' } satisfies GeneratorCommand);
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
