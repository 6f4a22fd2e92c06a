import type { RunningBroker } from '@esp32cloud/broker';
import { BrokerAdmin } from '@esp32cloud/broker/admin';
import { startTestBroker } from '@esp32cloud/broker/testing';
import { start as startFirestore } from '@esp32cloud/firestore-emulator';
import { type FlashConfig, topics } from '@esp32cloud/protocol';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { type BridgeConfig, configFromEnv } from '../src/config.ts';

// A real Firestore emulator + a real broker + provisioned devices with their documents, for bridge suites.

export interface Fixture {
  broker: RunningBroker;
  db: Firestore;
  projectId: string;
  bridgeConfig(overrides?: Partial<BridgeConfig>): BridgeConfig;
  provision(serial: string, type: FlashConfig['device_type'], uid?: string): Promise<FlashConfig>;
  stop(): Promise<void>;
}

/** Our Firestore emulator alone, with an Admin handle: for suites of one bridge part. */
export async function startFirestoreFixture(): Promise<{
  db: Firestore;
  projectId: string;
  stop(): Promise<void>;
}> {
  const projectId = `demo-bridge-${Math.random().toString(36).slice(2, 8)}`;
  const firestore = await startFirestore({ host: '127.0.0.1', port: 0, projectId, quiet: true });
  process.env.FIRESTORE_EMULATOR_HOST = firestore.hostAndPort;
  const app = initializeApp({ projectId }, `fixture-${projectId}`);
  return {
    db: getFirestore(app),
    projectId,
    async stop() {
      await deleteApp(app);
      await firestore.stop();
    },
  };
}

export async function startFixture(kind: 'mosquitto' | 'embedded'): Promise<Fixture> {
  const store = await startFirestoreFixture();
  const { db, projectId } = store;
  const broker = await startTestBroker(kind, 0);
  const admin = await BrokerAdmin.connect({ url: broker.broker.url, ...broker.broker.adminCredentials });
  return {
    broker: broker.broker,
    db,
    projectId,
    bridgeConfig: (overrides = {}) => ({
      ...configFromEnv({}),
      mqttUrl: broker.broker.url,
      username: broker.broker.serviceCredentials.bridge.username,
      password: broker.broker.serviceCredentials.bridge.password,
      clientId: broker.broker.serviceCredentials.bridge.clientId,
      protocolVersion: broker.broker.mqttVersion,
      projectId,
      msPerSecond: 20,
      sweepIntervalMs: 50,
      lastSeenWindowMs: 60_000,
      readingsWindowMs: 0,
      commandTimeoutMs: 400,
      shareGroup: broker.broker.sharedSubscriptions ? 'bridge' : '',
      ...overrides,
    }),
    async provision(serial, type, uid = 'user-1') {
      const password = `pw-${serial}`;
      await admin.addDevice({ serial, password });
      const deviceId = `ESP32_${serial.slice(-6)}`;
      await db.doc(`devices/${deviceId}`).set({
        device_id: deviceId,
        serial_number: serial,
        device_type: type,
        firmware_version: '1.0.0',
        status: 'registered',
        owner_uid: uid,
        state: { online: false, last_seen: null, outputs: {}, readings: {} },
      });
      await db
        .doc(`user_devices/${uid}_${deviceId}`)
        .set({ user_id: uid, device_id: deviceId, access_level: 'owner' });
      return {
        v: 1,
        serial_number: serial,
        device_id: deviceId,
        device_type: type,
        broker_url: broker.broker.url,
        username: serial,
        password,
        update_interval: 5,
      };
    },
    async stop() {
      await admin.close();
      await broker.stop();
      await store.stop();
    },
  };
}

export const statusTopic = topics.status;

/**
 * Settings for a bridge driven by a test's own clock: production windows (last_seen, readings), with the
 * offline sweep and the history tick out of the way, so time moves only when the test moves it.
 */
export const CONTROLLED_CLOCK_SETTINGS: Partial<BridgeConfig> = {
  msPerSecond: 1000,
  lastSeenWindowMs: 60 * 60_000,
  readingsWindowMs: 20 * 60_000,
  sweepIntervalMs: 3_600_000,
  historyTickMs: 3_600_000,
};
