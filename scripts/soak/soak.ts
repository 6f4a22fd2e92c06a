import { readFileSync } from 'node:fs';
import type { BrokerKind } from '@esp32cloud/broker';
import { COMMAND_ERROR_CODES, commandUpdates, firestorePaths, topics } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { Timestamp } from 'firebase-admin/firestore';
import mqtt from 'mqtt';
import { percentile } from '../lib/bench-figures.ts';
import { type ChaosStep, chaosPlan, type RecoveryFigures, type SoakBreak } from './chaos.ts';
import { type Rig, startRig } from './rig.ts';

export type { SoakBreak } from './chaos.ts';

// The soak (issue 17): simulated devices, each with its own connection and credentials, receive relay commands
// at a steady rate while the broker, the bridge and the Firestore emulator run as separate processes (and, with
// chaos, are killed and restarted). Commands are recorded and published as the api function does (a command
// document, then QoS 1 on the control topic with the relay's account); devices obey, acknowledge and report
// status; the bridge writes Firestore. At the end what the devices did is compared with what Firestore holds.

export interface SoakOptions {
  devices: number;
  /** Commands per device per minute. */
  rate: number;
  minutes: number;
  kind: BrokerKind;
  /** Kill and restart the broker, then the bridge, then the Firestore emulator (30 s away) during the run. */
  chaos?: boolean;
  /** What to break (killed and restarted), spread evenly over the run; ignored with chaos. */
  breaks?: SoakBreak[];
  /** How long the Firestore emulator stays away (default 30 s). */
  firestoreOutageMs?: number;
  /** How long the bridge waits for an ack (ms); the drain waits this long at most after the last command. */
  commandTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  devices: number;
  seconds: number;
  commandsSent: number;
  /** Not published: the broker was away (the API answers 503 and marks them failed). */
  refusedBrokerDown: number;
  /** Not recorded: Firestore was away (the API answers 503). */
  refusedFirestoreDown: number;
  ackedByDevices: number;
  ackedInFirestore: number;
  /** Never reached a device (it was offline) and ended timed out, as designed. */
  timedOut: number;
  /** Still queued or sent after the drain: must be 0. */
  stuck: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  commandsPerSecond: number;
  latency: Array<{ minute: number; count: number; p50: number; p95: number; p99: number }>;
  rss: Record<string, { startMb: number; endMb: number }>;
  /** How the platform came back from the faults of the run (chaos.ts). */
  recovery: RecoveryFigures;
  events: string[];
}

interface SentCommand {
  serial: string;
  deviceId: string;
  id: string;
  params: { relay: number; state: 'on' | 'off' };
  at: number;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const commandTimeoutMs = options.commandTimeoutMs ?? 30_000;
  const events: string[] = [];
  const note = (line: string) => {
    events.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
    log(line);
  };
  process.env.SIMULATOR_LOG ??= 'silent';
  process.env.BROKER_LOG ??= 'silent';
  const rig = await startRig({
    kind: options.kind,
    // The bridge's log stays in its pipe (rig.ts); its ready line is how the rig knows it is up.
    bridgeEnv: { BRIDGE_COMMAND_TIMEOUT_MS: String(commandTimeoutMs) },
  });
  const devices = new Map<string, SimulatedDevice>();
  let relay: mqtt.MqttClient | null = null;
  try {
    note(`provisioning ${options.devices} devices on ${rig.broker.kind}`);
    const configs = await rig.provision(options.devices);
    const applied = new Map<string, number>();
    /** Each device's outputs after each command it applied, oldest first. */
    const history = new Map<string, string[]>();
    for (const config of configs) {
      const device = startSimulatedDevice(config, { brokerUrl: rig.broker.url });
      devices.set(config.serial_number, device);
      history.set(config.serial_number, []);
      device.events.on('command', (command: { id: string }) => {
        applied.set(command.id, (applied.get(command.id) ?? 0) + 1);
        history.get(config.serial_number)?.push(JSON.stringify(device.state().outputs));
      });
    }
    await Promise.all([...devices.values()].map((d) => d.waitConnected(120_000)));
    await waitUntil(async () => (await onlineCount(rig)) === options.devices, 120_000);
    note(`${options.devices} devices online`);

    const relayAccount = rig.broker.serviceCredentials.functionsRelay;
    relay = mqtt.connect(rig.broker.url, {
      username: relayAccount.username,
      password: relayAccount.password,
      ...(relayAccount.clientId ? { clientId: relayAccount.clientId } : {}),
      protocolVersion: rig.broker.mqttVersion,
      reconnectPeriod: 500,
      connectTimeout: 2000,
    });
    const relayClient = relay;
    await new Promise<void>((resolve) => relayClient.once('connect', () => resolve()));

    const pids = () => ({ soak: process.pid, ...rig.pids() });
    const rssStart = Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, rssMb(pid)]));
    const durationMs = options.minutes * 60_000;
    const perSecond = (options.devices * options.rate) / 60;
    const sent: SentCommand[] = [];
    let refusedBrokerDown = 0;
    let refusedFirestoreDown = 0;
    const serials = configs.map((c) => c.serial_number);
    let next = 0;
    let counter = 0;
    const started = Date.now();
    const chaos = chaosPlan(options, durationMs);
    const chaosRuns: Promise<void>[] = [];
    const recovery: RecoveryFigures = {};
    const chaosContext = {
      rig,
      devices: [...devices.values()],
      deviceAcks: () => sent.filter((c) => (applied.get(c.id) ?? 0) > 0).length,
      ackedInFirestore: () => ackedCount(rig),
      note,
      figures: recovery,
    };
    let due = 0;
    while (Date.now() - started < durationMs) {
      const elapsed = Date.now() - started;
      while (chaos.length > 0 && chaos[0].atMs <= elapsed) {
        const step = chaos.shift() as ChaosStep;
        chaosRuns.push(step.run(chaosContext));
      }
      due += perSecond / 10;
      const batch: SentCommand[] = [];
      while (due >= 1) {
        due -= 1;
        const serial = serials[next++ % serials.length];
        counter++;
        batch.push({
          serial,
          deviceId: `ESP32_${serial}`,
          id: `soak-${counter}`,
          params: { relay: 1 + (counter % 4), state: Math.random() < 0.5 ? 'on' : 'off' },
          at: Date.now(),
        });
      }
      if (batch.length > 0) {
        const outcome = await sendCommands(rig, relayClient, batch);
        refusedBrokerDown += outcome.brokerDown;
        refusedFirestoreDown += outcome.firestoreDown;
        sent.push(...outcome.sent);
      }
      await sleep(Math.max(0, 100 - ((Date.now() - started) % 100)));
    }
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(chaosRuns);
    note(`sent ${sent.length} commands in ${seconds.toFixed(0)} s; draining`);

    // Drain: every command answered or timed out (the bridge's timeout, or its sweep after a restart).
    // Not met in time: the report counts what is still pending as stuck.
    // Drained: nothing pending, and every ack a device sent is in Firestore (a loaded bridge may still be
    // catching up after a command already timed out: the late ack wins). Bounded; what is missing is counted.
    const deviceAcks = sent.filter((c) => (applied.get(c.id) ?? 0) > 0).length;
    const drained = async () => (await pendingCount(rig)) === 0 && (await ackedCount(rig)) >= deviceAcks;
    await waitUntil(drained, commandTimeoutMs * 2 + 180_000).catch(() =>
      note('drain: commands still pending after the wait'),
    );
    await sleep(2000);
    const commands = await rig.db.collectionGroup('commands').get();
    const byId = new Map(commands.docs.map((d) => [d.id, d.data()]));
    let ackedInFirestore = 0;
    let timedOut = 0;
    let stuck = 0;
    let lost = 0;
    let duplicated = 0;
    const latencies: Array<{ minute: number; ms: number }> = [];
    for (const command of sent) {
      const doc = byId.get(command.id);
      const status = doc?.status as string | undefined;
      const deviceAcked = applied.get(command.id) ?? 0;
      if (deviceAcked > 1) duplicated++;
      if (status === 'acked') {
        ackedInFirestore++;
        if (deviceAcked === 0) duplicated++;
        const ackedAt = (doc?.acked_at as Timestamp | undefined)?.toMillis();
        if (ackedAt)
          latencies.push({ minute: Math.floor((command.at - started) / 60_000), ms: ackedAt - command.at });
      } else if (status === 'queued' || status === 'sent') stuck++;
      else if (deviceAcked > 0) lost++;
      else if ((doc?.error as { code?: string } | undefined)?.code === COMMAND_ERROR_CODES.timeout)
        timedOut++;
    }
    // Each device's last state in Firestore against what the device last had.
    let outOfOrder = 0;
    const snapshots = await rig.db.collection('devices').get();
    for (const doc of snapshots.docs) {
      const serial = doc.get('serial_number') as string;
      const device = devices.get(serial);
      if (!device) continue;
      const stored = normalise(doc.get('state.outputs') ?? {});
      const actual = normalise(device.state().outputs);
      if (stored === actual) continue;
      const past = (history.get(serial) ?? []).map((h) => normalise(JSON.parse(h)));
      if (past.includes(stored)) outOfOrder++;
      else lost++;
    }
    const rssEnd = Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, rssMb(pid)]));
    const rss = Object.fromEntries(
      Object.keys(rssEnd).map((k) => [k, { startMb: rssStart[k] ?? 0, endMb: rssEnd[k] }]),
    );
    return {
      devices: options.devices,
      seconds,
      commandsSent: sent.length,
      refusedBrokerDown,
      refusedFirestoreDown,
      ackedByDevices: sent.filter((c) => (applied.get(c.id) ?? 0) > 0).length,
      ackedInFirestore,
      timedOut,
      stuck,
      lost,
      duplicated,
      outOfOrder,
      commandsPerSecond: sent.length / seconds,
      latency: latencyByMinute(latencies),
      rss,
      recovery,
      events,
    };
  } finally {
    relay?.end(true);
    await Promise.all([...devices.values()].map((d) => d.stop({ graceful: false })));
    await rig.stop();
  }
}

/** As the api function does: the command document first, then the publish; a failed publish marks it failed. */
async function sendCommands(rig: Rig, relay: mqtt.MqttClient, batch: SentCommand[]) {
  const outcome = { sent: [] as SentCommand[], brokerDown: 0, firestoreDown: 0 };
  if (!relay.connected) {
    outcome.brokerDown = batch.length;
    return outcome;
  }
  const write = rig.db.batch();
  const now = Timestamp.now();
  for (const command of batch) {
    write.set(rig.db.doc(firestorePaths.command(command.deviceId, command.id)), {
      id: command.id,
      command: 'relay',
      params: command.params,
      status: 'sent',
      requested_by: 'soak',
      created_at: now,
      sent_at: now,
    });
  }
  try {
    await withDeadline(write.commit(), 3000);
  } catch {
    outcome.firestoreDown = batch.length;
    return outcome;
  }
  await Promise.all(
    batch.map(
      (command) =>
        new Promise<void>((resolve) => {
          const payload = JSON.stringify({ v: 1, id: command.id, command: 'relay', ...command.params });
          relay.publish(topics.control(command.serial), payload, { qos: 1 }, (error) => {
            if (error) {
              outcome.brokerDown++;
              void rig.db
                .doc(firestorePaths.command(command.deviceId, command.id))
                .update(commandUpdates.sendFailed())
                .catch(() => undefined);
            } else outcome.sent.push(command);
            resolve();
          });
        }),
    ),
  );
  return outcome;
}

async function onlineCount(rig: Rig): Promise<number> {
  const snap = await rig.db.collection('devices').where('state.online', '==', true).count().get();
  return snap.data().count;
}

async function ackedCount(rig: Rig): Promise<number> {
  const snap = await rig.db.collectionGroup('commands').where('status', '==', 'acked').count().get();
  return snap.data().count;
}

async function pendingCount(rig: Rig): Promise<number> {
  const snap = await rig.db
    .collectionGroup('commands')
    .where('status', 'in', ['queued', 'sent'])
    .count()
    .get();
  return snap.data().count;
}

function latencyByMinute(samples: Array<{ minute: number; ms: number }>) {
  const minutes = new Map<number, number[]>();
  for (const { minute, ms } of samples) minutes.set(minute, [...(minutes.get(minute) ?? []), ms]);
  return [...minutes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([minute, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        minute,
        count: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
      };
    });
}

function normalise(outputs: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))));
}

function rssMb(pid: number | null): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`soak: condition not met within ${timeoutMs} ms`);
    await sleep(500);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('deadline')), ms)),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
