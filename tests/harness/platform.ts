import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BridgeConfig, configFromEnv, type RunningBridge, startBridge } from '@esp32cloud/bridge';
import {
  type BrokerKind,
  bridgeConnection,
  functionsBrokerEnv,
  type RunningBroker,
  startBroker,
} from '@esp32cloud/broker';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { type ApiCall, call } from './api.ts';
import { assertBrokerKind } from './broker-kind.ts';
import { type Stack, startStack, useStackEnv } from './stack.ts';

// The whole platform for one suite, wired the way `npm start` wires it: a broker of the kind under test, the
// emulator stack (Auth, Functions, our Firestore) with the api function pointed at that broker, an Admin
// Firestore handle, and one bridge. Journeys that need every real part start this instead of wiring it by hand.

export interface PlatformOptions {
  kind: BrokerKind;
  /** Bridge accounts the broker makes (default 1); with more, a suite starts its bridges itself. */
  bridgeInstances?: number;
  /** More environment for the functions (billing keys, timeouts), laid over the broker's. */
  functionsEnv?: Record<string, string>;
  /** Bridge settings laid over the defaults (a function: from the started stack); false: no bridge. */
  bridge?: Partial<BridgeConfig> | ((stack: Stack) => Partial<BridgeConfig>) | false;
  /** Functions emulator workers started before the suite runs, as `npm start` does (default none). */
  warmFunctionWorkers?: number;
}

export interface Platform {
  broker: RunningBroker;
  stack: Stack;
  db: Firestore;
  bridge: RunningBridge | null;
  /** `/api{path}` with a Bearer credential (ID token or API key), JSON body. */
  api(method: string, path: string, credential: string | null, body?: unknown): Promise<ApiCall>;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-broker-'));
  const stops: Array<() => Promise<unknown>> = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const broker = await startBroker({
      kind: options.kind,
      port: 0,
      dataDir,
      ...(options.bridgeInstances ? { bridgeInstances: options.bridgeInstances } : {}),
    });
    stops.push(() => broker.stop());
    assertBrokerKind(broker, options.kind);
    const stack = await startStack({
      firestore: true,
      firebase: ['auth', 'functions'],
      functionsEnv: { ...functionsBrokerEnv(broker), ...options.functionsEnv },
      ...(options.warmFunctionWorkers ? { warmFunctionWorkers: options.warmFunctionWorkers } : {}),
    });
    stops.push(() => stack.stop());
    useStackEnv(stack);
    const app = initializeApp({ projectId: stack.projectId }, `platform-${stack.projectId}`);
    stops.push(() => deleteApp(app));
    const db = getFirestore(app);
    let bridge: RunningBridge | null = null;
    if (options.bridge !== false) {
      const base = configFromEnv({});
      bridge = await startBridge({
        ...base,
        ...bridgeConnection(broker),
        projectId: stack.projectId,
        ...(typeof options.bridge === 'function' ? options.bridge(stack) : options.bridge),
      });
      const running = bridge;
      stops.push(() => running.stop());
    }
    return {
      broker,
      stack,
      db,
      bridge,
      api: (method, path, credential, body) =>
        call(stack.apiUrl as string, method, `/api${path}`, {
          ...(credential ? { token: credential } : {}),
          body,
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
