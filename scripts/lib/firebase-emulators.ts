import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { firebaseToolsPreload, type RunningEmulator } from '@esp32cloud/firestore-emulator';
import { localHostingHeaders } from './hosting-headers.ts';

// Runs firebase-tools' Auth, Functions and Hosting emulators (all offline, no Java) as one child process
// group, from a generated config so several stacks can run side by side on their own ports. Shared by
// `npm start` and the test harness. When our Firestore emulator runs beside the Functions emulator,
// firebase-tools is started with the emulator's preload, so it registers the codebase's Firestore triggers
// with our emulator (as it would with Google's), and the emulator delivers their events to it.

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const firebaseBin = createRequire(import.meta.url).resolve('firebase-tools/lib/bin/firebase.js');

/** The api function's region (functions/src/config.ts), in the emulator's URLs and Hosting's rewrite. */
export const FUNCTIONS_REGION = 'asia-southeast1';

export type FirebaseEmulator = 'auth' | 'functions' | 'hosting';

export interface FirebaseEmulatorOptions {
  projectId: string;
  only: FirebaseEmulator[];
  ports: {
    auth: number;
    functions: number;
    hosting: number;
    hub: number;
    logging: number;
    /** firebase-tools starts these beside the Functions emulator. */
    eventarc: number;
    tasks: number;
  };
  /** Extra environment for the emulators and the functions they run (FIRESTORE_EMULATOR_HOST, MQTT_URL...). */
  env: Record<string, string>;
  /**
   * Our Firestore emulator, running in this process: the functions' Firestore, and with the Functions emulator
   * the source of their Firestore trigger events.
   */
  firestore?: Pick<RunningEmulator, 'hostAndPort' | 'useFunctionsEmulator'>;
  /** The functions codebase to run (default the product's `functions/`); tests run codebases of their own. */
  functionsSource?: string;
  /** Where generated config and logs go. */
  workDir: string;
  /** Folder the Hosting emulator serves (default hosting/dist). */
  hostingPublicDir?: string;
  /** Existing emulator data to import (auth accounts). */
  importDir?: string;
  /** Save the emulators' data (auth accounts) here on exit. */
  exportOnExit?: string;
  readyTimeoutMs?: number;
  /**
   * Functions emulator workers (one process each) started before the emulators count as ready; the emulator
   * then runs at most this many requests at once (FUNCTIONS_EMULATOR_PARALLEL) and queues the rest, so a burst
   * is served by the warm workers instead of starting a cold worker per request (docs/SCALING.md, "Bursts").
   * Like a Cloud Functions instance with this concurrency. 0 (default): firebase-tools' own behaviour.
   */
  warmFunctionWorkers?: number;
  onOutput?: (line: string) => void;
}

/**
 * How long a worker the Functions emulator starts may take to load the functions before the request it was
 * started for is refused ("Failed to load function."): firebase-tools' own default is 30 s, which a burst of
 * cold starts on a loaded two-core machine can exceed. Seconds (FUNCTIONS_DISCOVERY_TIMEOUT).
 */
export const FUNCTIONS_WORKER_LOAD_TIMEOUT_S = 180;

export interface RunningFirebaseEmulators {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The emulator origins this run's web app connects to (Auth here, Firestore from FIRESTORE_EMULATOR_HOST). */
function emulatorOrigins(options: FirebaseEmulatorOptions): string[] {
  const origins = [`http://127.0.0.1:${options.ports.auth}`];
  const firestore = options.firestore?.hostAndPort ?? options.env.FIRESTORE_EMULATOR_HOST;
  if (firestore) origins.push(`http://${firestore}`);
  return origins;
}

export function writeFirebaseConfig(options: FirebaseEmulatorOptions): string {
  mkdirSync(options.workDir, { recursive: true });
  const rel = (p: string) => path.relative(repoRoot, p) || '.';
  const host = '127.0.0.1';
  const config = {
    functions: [
      { source: rel(options.functionsSource ?? path.join(repoRoot, 'functions')), codebase: 'default' },
    ],
    hosting: {
      public: rel(options.hostingPublicDir ?? path.join(repoRoot, 'hosting/dist')),
      rewrites: [
        { source: '/api/**', function: { functionId: 'api', region: FUNCTIONS_REGION } },
        { source: '**', destination: '/index.html' },
      ],
      headers: localHostingHeaders(emulatorOrigins(options)),
    },
    emulators: {
      auth: { host, port: options.ports.auth },
      functions: { host, port: options.ports.functions },
      hosting: { host, port: options.ports.hosting },
      hub: { host, port: options.ports.hub },
      logging: { host, port: options.ports.logging },
      eventarc: { host, port: options.ports.eventarc },
      tasks: { host, port: options.ports.tasks },
      ui: { enabled: false },
      singleProjectMode: true,
    },
  };
  // firebase-tools resolves paths in the config against the config file's folder: keep it at the repo root.
  const file = path.join(repoRoot, `.firebase-${options.projectId}-${options.ports.hub}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function startFirebaseEmulators(options: FirebaseEmulatorOptions): Promise<RunningFirebaseEmulators> {
  const configFile = writeFirebaseConfig(options);
  const env: Record<string, string> = { ...options.env };
  const args: string[] = [];
  const triggers = options.firestore && options.only.includes('functions') ? options.firestore : null;
  if (triggers) {
    args.push('-r', firebaseToolsPreload);
    env.FIRESTORE_EMULATOR_EXTERNAL_HOST = triggers.hostAndPort;
    env.FIRESTORE_EMULATOR_HOST = triggers.hostAndPort;
    triggers.useFunctionsEmulator(`127.0.0.1:${options.ports.functions}`);
  }
  args.push(
    firebaseBin,
    'emulators:start',
    '--only',
    options.only.join(','),
    '--project',
    options.projectId,
    '--config',
    configFile,
  );
  if (options.importDir) args.push('--import', options.importDir);
  if (options.exportOnExit) args.push('--export-on-exit', options.exportOnExit);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
      FUNCTIONS_DISCOVERY_TIMEOUT: String(FUNCTIONS_WORKER_LOAD_TIMEOUT_S),
      ...((options.warmFunctionWorkers ?? 0) > 0
        ? { FUNCTIONS_EMULATOR_PARALLEL: String(options.warmFunctionWorkers) }
        : {}),
      // firebase-tools fetches its "message of the day" from the internet at every start unless CI is set;
      // local runs talk to nothing but this machine.
      CI: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const stop = () =>
    stopGroup(child).finally(() => {
      rmSync(configFile, { force: true });
      triggers?.useFunctionsEmulator(null);
    });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(
          `firebase emulators not ready within ${options.readyTimeoutMs ?? 90_000} ms:\n${output.slice(-40).join('\n')}`,
        ),
      );
    }, options.readyTimeoutMs ?? 90_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        options.onOutput?.(line);
        if (line.includes('All emulators ready')) {
          clearTimeout(timer);
          warmFunctionWorkers(options).then(
            () => resolve({ process: child, stop }),
            (error: unknown) => {
              void stop();
              reject(error);
            },
          );
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(configFile, { force: true });
      reject(
        new Error(`firebase emulators exited (code ${code}) before ready:\n${output.slice(-40).join('\n')}`),
      );
    });
  });
}

/**
 * Starts `warmFunctionWorkers` Functions emulator workers for the api function. The emulator keeps every worker
 * it starts (idle workers are reused, never reaped) and starts a new one for a request that finds none idle, so
 * that many requests sent at once, before any worker exists, leave that many warm workers behind. Each runs
 * /api/health, which also opens the worker's Firestore, Auth and broker connections.
 */
async function warmFunctionWorkers(options: FirebaseEmulatorOptions): Promise<void> {
  const count = options.warmFunctionWorkers ?? 0;
  if (count <= 0 || !options.only.includes('functions')) return;
  const url = `http://127.0.0.1:${options.ports.functions}/${options.projectId}/${FUNCTIONS_REGION}/api/health`;
  const timeoutMs = (FUNCTIONS_WORKER_LOAD_TIMEOUT_S + 30) * 1000;
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
        (response) => response.status,
        () => 0,
      ),
    ),
  );
  // Only a worker that could not load at all is a failure; a warm-up request may still lose the race for the
  // idle worker it started (the emulator then answers 500) while its worker stays in the pool.
  if (answers.every((status) => status !== 200))
    throw new Error(`no Functions emulator worker answered /api/health (answers: ${answers.join(', ')})`);
}

/** Ends a detached child and everything it spawned; bounded, never hangs. */
export function stopGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      kill('SIGKILL');
      resolve();
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      kill('SIGKILL'); // stragglers in the group (functions workers)
      resolve();
    });
    kill('SIGINT');
  });
}
