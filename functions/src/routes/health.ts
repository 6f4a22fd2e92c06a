import { COLLECTIONS } from '@esp32cloud/protocol';
import { config } from '../config.ts';
import { auth, db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';

// GET /api/health: the version and which backends this instance reached. It never fails as a whole; an
// unreachable backend is reported as false, each probe bounded in time.

export type BackendProbe = () => Promise<void>;

export const backendProbes: Record<string, BackendProbe> = {
  firestore: async () => {
    await db.collection(COLLECTIONS.health).limit(1).get();
  },
  auth: async () => {
    await auth.listUsers(1);
  },
};

async function probe(name: string, check: BackendProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${config.healthProbeTimeoutMs} ms`)),
      config.healthProbeTimeoutMs,
    );
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch (error) {
    logs.backendUnreachable(name, error instanceof Error ? error.message : String(error));
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(router: Router): void {
  router.add('GET', '/health', {
    auth: 'none',
    handler: async () => {
      const names = Object.keys(backendProbes);
      const results = await Promise.all(names.map((name) => probe(name, backendProbes[name])));
      return {
        body: {
          status: 'ok',
          version: config.version,
          project: config.projectId,
          backends: Object.fromEntries(names.map((name, i) => [name, results[i]])),
        },
      };
    },
  });
}
