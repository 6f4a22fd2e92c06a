import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningEmulator, start as startFirestore } from '@esp32cloud/firestore-emulator';
import {
  type FirebaseEmulator,
  repoRoot,
  startFirebaseEmulators,
} from '../../scripts/lib/firebase-emulators.ts';
import { freePort } from './ports.ts';

// Starts the emulators one suite needs, on free ports and under a project id of its own, so suites never see
// each other's data and can run beside `npm start`. Everything is torn down by stop().
// With USE_RUNNING_STACK=1 a suite instead reuses the platform a running `npm start` described in
// .tmp/run/stack.json (its own data then stays apart only by the unique users and devices it creates).

export const RUNNING_STACK_FILE = path.join(repoRoot, '.tmp/run/stack.json');

/** The product's security rules: every stack's Firestore enforces them, as production and `npm start` do. */
export const PRODUCT_RULES_FILE = path.join(repoRoot, 'firestore.rules');

export interface StackOptions {
  /** Starts the Firestore emulator with firestore.rules loaded (the Admin SDK bypasses them, browsers do not). */
  firestore?: boolean;
  /** firebase-tools emulators to run (each implies nothing else). */
  firebase?: FirebaseEmulator[];
  /** Extra environment for the functions (MQTT_URL...). */
  functionsEnv?: Record<string, string>;
  /** A functions codebase of the test's own instead of the product's `functions/`. */
  functionsSource?: string;
  projectId?: string;
  /** Functions emulator workers started before the stack is ready (scripts/lib/firebase-emulators.ts). */
  warmFunctionWorkers?: number;
}

export interface Stack {
  projectId: string;
  /** The rules file the Firestore emulator enforces (null without Firestore, or reusing a running stack). */
  rulesFile: string | null;
  firestoreHost: string | null;
  authHost: string | null;
  /** Base URL of the api function, e.g. http://127.0.0.1:PORT/demo-x/asia-southeast1/api */
  apiUrl: string | null;
  hostingUrl: string | null;
  /** Environment that points SDKs in this process (or a child) at this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (process.env.USE_RUNNING_STACK === '1') {
    const running = runningStack(options);
    if (running) return running;
  }
  const projectId = options.projectId ?? `demo-test-${Math.random().toString(36).slice(2, 10)}`;
  const stops: Array<() => Promise<void>> = [];
  const env: Record<string, string> = { GCLOUD_PROJECT: projectId };
  let firestoreHost: string | null = null;
  let rulesFile: string | null = null;
  let authHost: string | null = null;
  let apiUrl: string | null = null;
  let hostingUrl: string | null = null;
  let firestore: RunningEmulator | null = null;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'esp32-stack-'));
  stops.push(async () => rmSync(workDir, { recursive: true, force: true }));

  try {
    if (options.firestore) {
      // Strict index mode: a query needing a composite index missing from firestore.indexes.json fails here
      // as it would in production.
      firestore = await startFirestore({
        host: '127.0.0.1',
        port: 0,
        projectId,
        rulesFile: PRODUCT_RULES_FILE,
        quiet: true,
        indexesFile: path.join(repoRoot, 'firestore.indexes.json'),
        requireIndexes: true,
      });
      firestoreHost = `${firestore.host}:${firestore.port}`;
      env.FIRESTORE_EMULATOR_HOST = firestoreHost;
      rulesFile = PRODUCT_RULES_FILE;
      const running = firestore;
      stops.push(() => running.stop());
    }
    const only = options.firebase ?? [];
    if (only.length > 0) {
      const { firebase, ports } = await startOnFreePorts(async () => {
        const ports = {
          auth: await freePort(),
          functions: await freePort(),
          hosting: await freePort(),
          hub: await freePort(),
          logging: await freePort(),
          eventarc: await freePort(),
          tasks: await freePort(),
        };
        const firebase = await startFirebaseEmulators({
          projectId,
          only,
          ports,
          workDir,
          env: { ...env, ...options.functionsEnv },
          // Firestore triggers of the codebase are delivered by this stack's Firestore emulator.
          ...(firestore ? { firestore } : {}),
          ...(options.functionsSource ? { functionsSource: options.functionsSource } : {}),
          // A loaded machine (several suites starting emulators at once) may need longer than the default.
          readyTimeoutMs: Number(process.env.FIREBASE_READY_TIMEOUT_MS) || undefined,
          warmFunctionWorkers: options.warmFunctionWorkers,
        });
        return { firebase, ports };
      });
      stops.push(() => firebase.stop());
      if (only.includes('auth')) {
        authHost = `127.0.0.1:${ports.auth}`;
        env.FIREBASE_AUTH_EMULATOR_HOST = authHost;
      }
      if (only.includes('functions'))
        apiUrl = `http://127.0.0.1:${ports.functions}/${projectId}/asia-southeast1/api`;
      if (only.includes('hosting')) hostingUrl = `http://127.0.0.1:${ports.hosting}`;
    }
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
  return {
    projectId,
    rulesFile,
    firestoreHost,
    authHost,
    apiUrl,
    hostingUrl,
    env,
    stop: () => stopAll(stops),
  };
}

/**
 * firebase-tools sometimes dies while starting on a loaded machine (a port taken between our check and its
 * bind, or "An unexpected error has occurred"); such a start is retried on fresh ports. A start that merely
 * takes too long is not retried: it already waited its full timeout.
 */
async function startOnFreePorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const diedEarly = /exited \(code [^)]*\) before ready/.test(String(error));
      if (!diedEarly || attempt >= attempts) throw error;
      console.warn(
        `firebase emulators exited while starting; retrying on fresh ports (${attempt}/${attempts})`,
      );
    }
  }
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

/** Points this process's firebase-admin at a stack (call before the first admin SDK use). */
export function useStackEnv(stack: Stack): void {
  Object.assign(process.env, stack.env);
}

export type RunningStackDescription = Omit<Stack, 'stop' | 'rulesFile'> & {
  /** The local broker: its admin account (for `npm run provision`), where devices connect, its CA file. */
  broker?: { adminUrl: string; deviceUrl: string; caFile: string | null };
  /** The `npm start` process, so a description left behind by a crash is recognised as stale. */
  pid?: number;
};

function runningStack(options: StackOptions): Stack | null {
  if (options.functionsEnv && Object.keys(options.functionsEnv).length > 0) {
    console.warn(
      'USE_RUNNING_STACK: this suite needs functions wired to its own broker; starting its own stack.',
    );
    return null;
  }
  if (options.functionsSource) {
    console.warn(
      'USE_RUNNING_STACK: this suite runs a functions codebase of its own; starting its own stack.',
    );
    return null;
  }
  if (!existsSync(RUNNING_STACK_FILE)) {
    throw new Error(
      `USE_RUNNING_STACK=1 but ${RUNNING_STACK_FILE} does not exist: is \`npm start\` running?`,
    );
  }
  const {
    broker: _broker,
    pid: _pid,
    ...description
  } = JSON.parse(readFileSync(RUNNING_STACK_FILE, 'utf8')) as RunningStackDescription;
  // `npm start` loads the same firestore.rules (scripts/start.ts).
  return { ...description, rulesFile: PRODUCT_RULES_FILE, stop: async () => undefined };
}
