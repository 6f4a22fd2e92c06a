import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAdmin, type RunningBroker, startBroker } from '@esp32cloud/broker';
import { start as startFirestore } from '@esp32cloud/firestore-emulator';
import {
  type AlertRuleDoc,
  COLLECTIONS,
  defaultNotificationSettings,
  type FlashConfig,
  firestorePaths,
} from '@esp32cloud/protocol';
import { startSimulatedDevice } from '@esp32cloud/simulator';
import { whichProgram } from '@esp32cloud/tests/harness/programs';
import { startWebhookReceiver } from '@esp32cloud/tests/harness/webhook-receiver';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { configFromEnv, type RunningBridge, startBridge } from '../src/index.ts';

// Figures of issue 14 (`npm run bench -- alerts`, or `npx tsx bridge/bench/alerts.ts [latency|writes]`):
//  1. condition true (the sensor publishes a reading past the threshold) → in-app notification visible to a
//     Firestore listener, and → signed webhook received on 127.0.0.1; median and max over 60 episodes (max,
//     not p99: fewer than 100 samples);
//  2. extra Firestore writes per device per day that alerts cost when nothing fires (target 0), with three
//     rules per device that stay false, over a compressed day.
// Real parts: Mosquitto when installed (else the embedded broker), the Node Firestore emulator, the bridge
// with its alert evaluation and delivery, simulated sensors with their own broker credentials.

process.env.BRIDGE_LOG ??= 'silent';
process.env.BROKER_LOG ??= 'silent';
process.env.SIMULATOR_LOG ??= 'silent';
const only = process.argv[2];
const kind = whichProgram('mosquitto') ? 'mosquitto' : 'embedded';
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function world<T>(fn: (w: { broker: RunningBroker; db: Firestore; projectId: string }) => Promise<T>) {
  const projectId = `demo-bench-alerts-${Math.random().toString(36).slice(2, 8)}`;
  const firestore = await startFirestore({ host: '127.0.0.1', port: 0, projectId, quiet: true });
  process.env.FIRESTORE_EMULATOR_HOST = firestore.hostAndPort;
  const app = initializeApp({ projectId }, `bench-${projectId}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-alerts-'));
  const broker = await startBroker({ kind, port: 0, dataDir });
  try {
    return await fn({ broker, db: getFirestore(app), projectId });
  } finally {
    await broker.stop();
    await deleteApp(app);
    await firestore.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Sensors registered straight into Firestore and the broker, each owned by `owner`. */
async function sensors(broker: RunningBroker, db: Firestore, count: number, owner: string, interval: number) {
  const configs: FlashConfig[] = [];
  for (let i = 0; i < count; i++) {
    const serial = `ALERT${String(i).padStart(7, '0')}`;
    configs.push({
      v: 1,
      serial_number: serial,
      device_id: `ESP32_AL${String(i).padStart(4, '0')}`,
      device_type: 'Sensor',
      broker_url: broker.url,
      username: serial,
      password: `pw-${serial}`,
      update_interval: interval,
    });
  }
  const admin = await BrokerAdmin.connect({ url: broker.url, ...broker.adminCredentials, timeoutMs: 30_000 });
  await admin.addDevices(configs.map((c) => ({ serial: c.serial_number, password: c.password })));
  await admin.close();
  const batch = db.batch();
  for (const c of configs) {
    batch.set(db.doc(firestorePaths.device(c.device_id)), {
      device_id: c.device_id,
      serial_number: c.serial_number,
      device_type: 'Sensor',
      status: 'active',
      owner_uid: owner,
      state: { online: false, last_seen: null, outputs: {}, readings: {} },
    });
    batch.set(db.doc(firestorePaths.userDevice(owner, c.device_id)), {
      user_id: owner,
      device_id: c.device_id,
      device_name: `Freezer ${c.device_id}`,
      access_level: 'owner',
    });
  }
  await batch.commit();
  return configs;
}

async function addRule(
  db: Firestore,
  rule: Omit<AlertRuleDoc, 'created_at' | 'updated_at' | 'name' | 'enabled'>,
) {
  const now = new Date().toISOString();
  await db
    .doc(firestorePaths.alertRule(rule.rule_id))
    .set({ ...rule, name: null, enabled: true, created_at: now, updated_at: now });
}

function bridgeFor(broker: RunningBroker, projectId: string, msPerSecond = 1000, extra = {}) {
  const base = configFromEnv({});
  return startBridge({
    ...base,
    mqttUrl: broker.url,
    username: broker.serviceCredentials.bridge.username,
    password: broker.serviceCredentials.bridge.password,
    clientId: broker.serviceCredentials.bridge.clientId ?? broker.serviceCredentials.bridge.username,
    protocolVersion: broker.mqttVersion,
    shareGroup: broker.sharedSubscriptions ? 'bridge' : '',
    projectId,
    msPerSecond,
    ...extra,
    alerts: { ...base.alerts, outboxPollMs: 500, webhookInitialDelayMs: 100 },
  });
}

// ---- 1. latency --------------------------------------------------------------------------------------------

async function latency(samples = 60) {
  await world(async ({ broker, db, projectId }) => {
    const owner = 'bench-owner';
    const hooks = await startWebhookReceiver();
    const [config] = await sensors(broker, db, 1, owner, 30);
    await db.doc(firestorePaths.notificationSettings(owner)).set({
      ...defaultNotificationSettings(),
      channels: { info: ['in_app'], warning: ['in_app'], critical: ['in_app', 'webhook'] },
      daily_cap: 10_000,
      email: null,
      updated_at: '',
    });
    // Alert webhooks are a Pro feature; the bridge holds them on Free (docs/BILLING.md).
    await db.doc(firestorePaths.user(owner)).set({ plan: 'pro' }, { merge: true });
    await db.doc(firestorePaths.webhook('bench-hook')).set({
      webhook_id: 'bench-hook',
      owner_uid: owner,
      url: hooks.url,
      description: null,
      secret: 'whsec_bench',
      enabled: true,
      consecutive_failures: 0,
      disabled_reason: null,
      created_at: new Date().toISOString(),
    });
    await addRule(db, {
      rule_id: 'bench-rule',
      device_id: config.device_id,
      owner_uid: owner,
      condition: {
        kind: 'threshold',
        reading: 'temperature',
        direction: 'above',
        threshold: 30,
        hysteresis: 1,
        minutes: 0,
      },
      severity: 'critical',
    });
    const bridge: RunningBridge = await bridgeFor(broker, projectId);
    const device = startSimulatedDevice(config, { brokerUrl: broker.url });
    await device.waitConnected(10_000);
    await device.setReadings({ temperature: 20 });

    const seen = new Map<string, number>();
    const stop = db.collection(firestorePaths.notifications(owner)).onSnapshot((snap) => {
      for (const change of snap.docChanges())
        if (change.type === 'added') seen.set(change.doc.id, Date.now());
    });
    await new Promise((r) => setTimeout(r, 1500)); // the bridge's rule listener and the notification listener
    const inApp: number[] = [];
    const webhook: number[] = [];
    const wait = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    for (let i = 0; i < samples; i++) {
      const notificationsBefore = seen.size;
      const callsBefore = hooks.calls.filter((c) => c.json.event === 'alert.fired').length;
      const t0 = Date.now();
      await device.setReadings({ temperature: 35 });
      await wait(() => seen.size > notificationsBefore, 'notification');
      inApp.push([...seen.values()].reduce((a, b) => Math.max(a, b), 0) - t0);
      await wait(
        () => hooks.calls.filter((c) => c.json.event === 'alert.fired').length > callsBefore,
        'webhook',
      );
      webhook.push(hooks.calls.filter((c) => c.json.event === 'alert.fired').at(-1)!.at - t0);
      // End the episode before the next one.
      await device.setReadings({ temperature: 20 });
      await wait(() => hooks.calls.filter((c) => c.json.event === 'alert.resolved').length > i, 'resolved');
    }
    stop();
    await device.stop({ graceful: false });
    await bridge.stop();
    await hooks.stop();
    console.log(
      `alert latency (${samples} episodes, ${kind}): condition true → in-app notification seen by a listener: median ${fmt(median(inApp))}, max ${fmt(Math.max(...inApp))}`,
    );
    console.log(
      `alert latency (${samples} episodes, ${kind}): condition true → signed webhook received: median ${fmt(median(webhook))}, max ${fmt(Math.max(...webhook))}`,
    );
  });
}

// ---- 2. writes when nothing fires -----------------------------------------------------------------------------

async function quietWrites(devices = 20, msPerSecond = 2, fraction = 1 / 8) {
  await world(async ({ broker, db, projectId }) => {
    const owner = 'bench-owner';
    const configs = await sensors(broker, db, devices, owner, 30);
    for (const c of configs) {
      const base = { device_id: c.device_id, owner_uid: owner, severity: 'warning' as const };
      await addRule(db, {
        ...base,
        rule_id: `${c.device_id}-hot`,
        condition: {
          kind: 'threshold',
          reading: 'temperature',
          direction: 'above',
          threshold: 80,
          hysteresis: 1,
          minutes: 0,
        },
      });
      await addRule(db, {
        ...base,
        rule_id: `${c.device_id}-offline`,
        condition: { kind: 'offline', minutes: 60 },
      });
      await addRule(db, {
        ...base,
        rule_id: `${c.device_id}-silent`,
        condition: { kind: 'no_data', minutes: 60 },
      });
    }
    const bridge = await bridgeFor(broker, projectId, msPerSecond);
    const fleet = configs.map((c) => startSimulatedDevice(c, { brokerUrl: broker.url, msPerSecond }));
    await Promise.all(fleet.map((d) => d.waitConnected(20_000)));
    await new Promise((r) => setTimeout(r, 1000));
    const before = bridge.stats();
    const daySeconds = 86_400;
    await new Promise((r) => setTimeout(r, daySeconds * fraction * msPerSecond));
    await bridge.idle();
    const after = bridge.stats();
    const alertDocs = async (name: string) => (await db.collection(name).get()).size;
    const extra =
      after.alertEpisodes -
      before.alertEpisodes +
      (await alertDocs(COLLECTIONS.alertState)) +
      (await alertDocs(COLLECTIONS.alerts)) +
      (await alertDocs(COLLECTIONS.alertOutbox)) +
      (await alertDocs(COLLECTIONS.alertUsage)) +
      (await db.collection(firestorePaths.notifications(owner)).get()).size;
    const perDay = (n: number) => (n / devices / fraction).toFixed(2);
    console.log(
      `Firestore writes per device per day that alerts cost when nothing fires (${devices} sensors × 3 rules, 30 s reports, ${after.received - before.received} messages): ${perDay(extra)} (device state writes meanwhile: ${perDay(after.writes - before.writes)})`,
    );
    for (const d of fleet) await d.stop({ graceful: false });
    await bridge.stop();
  });
}

if (!only || only === 'latency') await latency();
if (!only || only === 'writes') await quietWrites();
process.exit(0);
