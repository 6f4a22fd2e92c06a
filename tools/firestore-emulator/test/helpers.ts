import { deleteApp as deleteWebApp, type FirebaseApp, initializeApp as initializeWebApp } from 'firebase/app';
import {
  connectFirestoreEmulator,
  getFirestore as getWebFirestore,
  initializeFirestore,
  memoryLocalCache,
  memoryLruGarbageCollector,
  terminate,
  type Firestore as WebFirestore,
} from 'firebase/firestore';
import {
  type App,
  deleteApp as deleteAdminApp,
  initializeApp as initializeAdminApp,
} from 'firebase-admin/app';
import {
  type Firestore as AdminFirestore,
  getFirestore as getAdminFirestore,
} from 'firebase-admin/firestore';
import { type EmulatorOptions, type RunningEmulator, start } from '../src/index.ts';

// Shared setup for the conformance suites: each file starts its own emulator on a free port and talks to it
// only through the official SDKs (firebase-admin over gRPC, the firebase web SDK in Node over gRPC).

let appCounter = 0;

export interface Harness {
  emulator: RunningEmulator;
  admin(projectId?: string, databaseId?: string): AdminFirestore;
  web(options?: {
    projectId?: string;
    uid?: string;
    claims?: Record<string, unknown>;
    lruCache?: boolean;
  }): WebFirestore;
  close(): Promise<void>;
}

export const PROJECT = 'demo-conformance';

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await start({ port: 0, quiet: true, projectId: PROJECT, ...options });
  // The Admin SDK reads this when it creates its client; every suite runs in its own worker process.
  process.env.FIRESTORE_EMULATOR_HOST = emulator.hostAndPort;
  const adminApps: App[] = [];
  const webApps: { app: FirebaseApp; db: WebFirestore }[] = [];
  return {
    emulator,
    admin(projectId = PROJECT, databaseId) {
      const app = initializeAdminApp({ projectId }, `admin-${++appCounter}`);
      adminApps.push(app);
      return databaseId ? getAdminFirestore(app, databaseId) : getAdminFirestore(app);
    },
    web(options = {}) {
      const projectId = options.projectId ?? PROJECT;
      const app = initializeWebApp({ projectId, apiKey: 'fake-api-key' }, `web-${++appCounter}`);
      // An LRU cache keeps targets (and their resume tokens) after a listener goes away.
      const db = options.lruCache
        ? initializeFirestore(app, {
            localCache: memoryLocalCache({ garbageCollector: memoryLruGarbageCollector() }),
          })
        : getWebFirestore(app);
      connectFirestoreEmulator(
        db,
        '127.0.0.1',
        emulator.port,
        options.uid
          ? { mockUserToken: { user_id: options.uid, sub: options.uid, ...options.claims } }
          : undefined,
      );
      webApps.push({ app, db });
      return db;
    },
    async close() {
      for (const { app, db } of webApps) {
        await terminate(db);
        await deleteWebApp(app);
      }
      for (const app of adminApps) await deleteAdminApp(app);
      await emulator.stop();
    },
  };
}

/** Resolves with the next `count` values a subscription produces (bounded wait). */
export function collect<T>(
  subscribe: (push: (value: T) => void) => () => void,
  count: number,
  timeoutMs = 10_000,
) {
  const values: T[] = [];
  let unsubscribe: () => void = () => {};
  let onValue: () => void = () => {};
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out with ${values.length}/${count} values`)),
      timeoutMs,
    );
    onValue = () => {
      if (values.length >= count) {
        clearTimeout(timer);
        resolve(values);
      }
    };
  });
  unsubscribe = subscribe((value) => {
    values.push(value);
    onValue();
  });
  return { values, done, unsubscribe: () => unsubscribe() };
}

/** Waits until `predicate` holds for the latest value of a listener (bounded). */
export function waitFor<T>(
  subscribe: (push: (value: T) => void) => () => void,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      unsubscribe?.();
      reject(new Error('timed out waiting for a matching snapshot'));
    }, timeoutMs);
    unsubscribe = subscribe((value) => {
      if (settled || !predicate(value)) return;
      settled = true;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      resolve(value);
    });
    if (settled) unsubscribe();
  });
}

export async function expectCode(
  promise: Promise<unknown>,
  code: number | string,
): Promise<Error & { code: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code: unknown };
    if (e.code !== code) throw new Error(`expected code ${code}, got ${String(e.code)}: ${e.message}`);
    return e;
  }
  throw new Error(`expected failure with code ${code}, but it succeeded`);
}
