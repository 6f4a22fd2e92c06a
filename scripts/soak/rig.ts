import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrokerAdmin,
  type BrokerKind,
  bridgeProcessEnv,
  type RunningBroker,
  startBroker,
} from '@esp32cloud/broker';
import { freePort } from '@esp32cloud/broker/free-port';
import type { FlashConfig } from '@esp32cloud/protocol';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { startChildPart } from '../start/child-part.ts';
import type { PartRun } from '../start/supervisor.ts';
import { type BulkProvisionResult, bulkProvision } from './bulk-provision.ts';

// The platform's MQTT path as separate, killable processes on free ports, for the soak and the recovery tests:
// the Node-native Firestore emulator (restarted with its data: exported at a clean stop, imported at start),
// the broker (Mosquitto killed with SIGKILL and started again on the same ports and data directory) and the
// ingest bridge (bridge/src/main.ts, SIGKILL or a clean stop). Devices are provisioned as the provision CLI
// does: device documents plus per-device broker credentials.

export interface RigOptions {
  kind: BrokerKind;
  /** Extra bridge environment (BRIDGE_COMMAND_TIMEOUT_MS, …). */
  bridgeEnv?: Record<string, string>;
}

export interface Rig {
  projectId: string;
  db: Firestore;
  broker: RunningBroker;
  firestoreHost: string;
  /** The bridge's ingest counters, rewritten every second (BRIDGE_STATS_FILE); they restart with the bridge. */
  bridgeStatsFile: string;
  pids(): { broker: number; bridge: number | null; firestore: number | null };
  provision(count: number, prefix?: string): Promise<FlashConfig[]>;
  /**
   * A fleet made at once (bulk-provision.ts): registry records as the provision CLI makes them, broker accounts
   * written into the dynamic-security file with the broker stopped, then the broker started again.
   */
  provisionBulk(count: number): Promise<BulkProvisionResult>;
  killBroker(): Promise<void>;
  startBrokerAgain(): Promise<void>;
  killBridge(): Promise<void>;
  /** Clean stop (SIGTERM): the bridge handles what it took and flushes coalesced writes. */
  stopBridge(): Promise<void>;
  startBridge(): Promise<void>;
  /** Stops the emulator (its data exported); the bridge and the API then find Firestore unreachable. */
  stopFirestore(): Promise<void>;
  startFirestore(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const projectId = `demo-soak-${Math.random().toString(36).slice(2, 8)}`;
  const workDir = mkdtempSync(join(tmpdir(), 'esp32-rig-'));
  const dataDir = join(workDir, 'firestore');
  const brokerDir = join(workDir, 'broker');
  mkdirSync(brokerDir);
  const firestorePort = await freePort();
  const firestoreHost = `127.0.0.1:${firestorePort}`;
  process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
  process.env.METADATA_SERVER_DETECTION ??= 'none';

  let firestore: PartRun | null = null;
  const startFirestoreProcess = async () => {
    firestore = await startChildPart({
      script: 'tools/firestore-emulator/src/cli.ts',
      args: [
        '--port',
        String(firestorePort),
        '--project',
        projectId,
        '--export-on-exit',
        dataDir,
        ...(existsSync(dataDir) ? ['--import', dataDir] : []),
      ],
      env: {},
      ready: /listening on/,
      quiet: true,
    });
  };
  await startFirestoreProcess();

  let broker = await startBroker({ kind: options.kind, port: 0, dataDir: brokerDir });
  const brokerOptions = { kind: options.kind, port: broker.port, dataDir: brokerDir } as const;
  const app = initializeApp({ projectId }, `rig-${projectId}`);
  const db = getFirestore(app);

  const bridgeStatsFile = join(workDir, 'bridge-stats.json');
  const bridgeEnv = {
    ...options.bridgeEnv,
    BRIDGE_STATS_FILE: bridgeStatsFile,
    ...bridgeProcessEnv(broker),
    BRIDGE_ALERTS: 'off',
    BRIDGE_LOG: 'info',
    GCLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
  };
  let bridge: PartRun | null = null;
  const startBridgeProcess = async () => {
    bridge = await startChildPart({
      script: 'bridge/src/main.ts',
      env: bridgeEnv,
      ready: /"bridge ready"/,
      quiet: !process.env.RIG_DEBUG,
    });
  };
  await startBridgeProcess();

  const kill = async (run: PartRun | null) => {
    if (!run) return;
    process.kill(run.pid, 'SIGKILL');
    await run.exited;
  };

  return {
    projectId,
    db,
    get broker() {
      return broker;
    },
    firestoreHost,
    bridgeStatsFile,
    pids: () => ({
      broker: broker.pid,
      bridge: (bridge as PartRun | null)?.pid ?? null,
      firestore: (firestore as PartRun | null)?.pid ?? null,
    }),
    async provision(count, prefix = 'SOAK') {
      const configs: FlashConfig[] = [];
      for (let i = 0; i < count; i++) {
        const serial = `${prefix}${String(i).padStart(6, '0')}`;
        configs.push({
          v: 1,
          serial_number: serial,
          device_id: `ESP32_${serial}`,
          device_type: '4Relay',
          broker_url: broker.url,
          username: serial,
          password: `pw-${serial}`,
          update_interval: 30,
        });
      }
      const admin = await BrokerAdmin.connect({
        url: broker.url,
        ...broker.adminCredentials,
        timeoutMs: 60_000,
      });
      await admin.addDevices(configs.map((c) => ({ serial: c.serial_number, password: c.password })));
      await admin.close();
      for (let i = 0; i < configs.length; i += 400) {
        const batch = db.batch();
        for (const c of configs.slice(i, i + 400)) {
          batch.set(db.doc(`devices/${c.device_id}`), {
            device_id: c.device_id,
            serial_number: c.serial_number,
            device_type: c.device_type,
            status: 'registered',
            state: { online: false, last_seen: null, outputs: {}, readings: {} },
          });
        }
        await batch.commit();
      }
      return configs;
    },
    async provisionBulk(count) {
      await broker.stop();
      try {
        return await bulkProvision({ db, dynsecFile: broker.dynsecFile, count, brokerUrl: broker.url });
      } finally {
        broker = await startBroker(brokerOptions);
      }
    },
    async killBroker() {
      if (broker.kind === 'mosquitto') {
        // As a broker past its first autosave (60 s) would be: sessions are restored at its return, which is
        // the case that matters (Mosquitto restores a session without its shared subscriptions).
        await savePersistence(broker.pid, join(brokerDir, 'mosquitto.db'));
        process.kill(broker.pid, 'SIGKILL');
        await broker.exited;
      } else await broker.stop();
    },
    async startBrokerAgain() {
      broker = await startBroker(brokerOptions);
    },
    killBridge: () => kill(bridge),
    async stopBridge() {
      await (bridge as PartRun | null)?.stop();
    },
    startBridge: startBridgeProcess,
    async stopFirestore() {
      await (firestore as PartRun | null)?.stop();
    },
    startFirestore: startFirestoreProcess,
    async stop() {
      await (bridge as PartRun | null)?.stop().catch(() => undefined);
      await broker.stop().catch(() => undefined);
      await deleteApp(app).catch(() => undefined);
      await (firestore as PartRun | null)?.stop().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Makes Mosquitto write its persistence file now (SIGUSR1) and waits until it has (bounded: 5 s). */
async function savePersistence(pid: number, file: string): Promise<void> {
  const written = () => (existsSync(file) ? statSync(file).mtimeMs : 0);
  const before = written();
  process.kill(pid, 'SIGUSR1');
  for (let waited = 0; waited < 5000 && written() === before; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
}
