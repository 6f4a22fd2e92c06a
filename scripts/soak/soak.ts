import type { BrokerKind } from '@esp32cloud/broker';
import { COMMAND_ERROR_CODES } from '@esp32cloud/protocol';
import type { Timestamp } from 'firebase-admin/firestore';
import mqtt from 'mqtt';
import { percentile } from '../lib/bench-figures.ts';
import { type ChaosStep, chaosPlan, type RecoveryFigures, type SoakBreak } from './chaos.ts';
import {
  ackedCount,
  latencyByMinute,
  onlineCount,
  pendingCount,
  type SentCommand,
  sendCommands,
} from './commands.ts';
import { type GeneratorFleet, startGeneratorFleet } from './fleet.ts';
import {
  bridgeRates,
  checkFileLimit,
  loadAverage,
  type ProcessFigures,
  type ProcessSample,
  processFigures,
  readBridgeCounters,
  sampleProcesses,
} from './process-figures.ts';
import { startRig } from './rig.ts';

export type { SoakBreak } from './chaos.ts';

// The soak (issue 17): simulated devices, each with its own connection and credentials, receive relay commands
// at a steady rate while the broker, the bridge and the Firestore emulator run as separate processes (and, with
// chaos, are killed and restarted). Commands are recorded and published as the api function does (a command
// document, then QoS 1 on the control topic with the relay's account); devices obey, acknowledge and report
// status; the bridge writes Firestore. At the end what the devices did is compared with what Firestore holds.
// The fleet is made at once (bulk-provision.ts) and runs in generator processes (fleet.ts), so the same soak
// scales to 10,000 devices and prints what the run measured at that scale (ScaleFigures).

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
  /** Generator processes running the simulated devices (default: one per 2,500 devices). */
  generators?: number;
  /** Devices connecting at once per generator (default 100). */
  concurrency?: number;
  /** Devices started per second by the whole fleet (default: no limit beyond concurrency). */
  connectRate?: number;
  log?: (line: string) => void;
}

/** The figures of a run at scale, each over the command window unless it says otherwise. */
export interface ScaleFigures {
  generators: number;
  /** Registry records (provisionBatch) and broker accounts (one file write), then the whole step with the broker restart. */
  provisioning: { registryMs: number; brokerAccountsMs: number; totalMs: number };
  /** Fleet started → every device connected (status published) / shown online in Firestore by the bridge. */
  allConnectedMs: number;
  allOnlineMs: number;
  /** Devices with state.online = true in Firestore (the bridge's presence writes) at the end of the window. */
  onlineAtEnd: number;
  /** The bridge's counters over the window: messages taken from the broker, device-document writes, acks. */
  bridge: {
    messagesPerSecond: number;
    writesPerSecond: number;
    acksPerSecond: number;
    dropped: number;
  } | null;
  /** The soak's own command documents (one batched write per 100 ms tick). */
  commandWritesPerSecond: number;
  roundTrip: { count: number; p50: number; p99: number };
  processes: Record<string, ProcessFigures>;
  loadAverage: { start: string; end: string };
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
  scale: ScaleFigures;
  /** How the platform came back from the faults of the run (chaos.ts). */
  recovery: RecoveryFigures;
  events: string[];
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
  let fleet: GeneratorFleet | null = null;
  let relay: mqtt.MqttClient | null = null;
  try {
    note(`provisioning ${options.devices} devices on ${rig.broker.kind} (load average ${loadAverage()})`);
    const provisionStarted = Date.now();
    const made = await rig.provisionBulk(options.devices);
    const provisioning = { ...made, totalMs: Date.now() - provisionStarted };
    note(
      `provisioned in ${(provisioning.totalMs / 1000).toFixed(1)} s (registry ${(made.registryMs / 1000).toFixed(1)} s, broker accounts ${(made.brokerAccountsMs / 1000).toFixed(1)} s)`,
    );
    const configs = made.configs;
    const deviceIds = new Map(configs.map((c) => [c.serial_number, c.device_id]));
    checkFileLimit(options.devices);
    const applied = new Map<string, number>();
    /** Each device's outputs after each command it applied, oldest first. */
    const history = new Map<string, string[]>(configs.map((c) => [c.serial_number, []]));
    const fleetStarted = Date.now();
    const runningFleet = await startGeneratorFleet(configs, {
      brokerUrl: rig.broker.url,
      generators: options.generators,
      concurrency: options.concurrency,
      connectRate: options.connectRate,
    });
    fleet = runningFleet;
    runningFleet.events.on('command', (serial: string, id: string, outputs: string) => {
      applied.set(id, (applied.get(id) ?? 0) + 1);
      history.get(serial)?.push(outputs);
    });
    // Bounded by the fleet's size (about 40 ms a device on this machine, or the asked rate twice over), never
    // under 2 minutes.
    const rampMs = Math.max(
      120_000,
      options.devices * 40,
      options.connectRate ? (2000 * options.devices) / options.connectRate : 0,
    );
    note(`${runningFleet.generators} generator processes connecting ${options.devices} devices`);
    await runningFleet.waitAllConnected(rampMs, (n) => note(`${n} devices connected`));
    const allConnectedMs = Date.now() - fleetStarted;
    note(`${options.devices} devices connected in ${(allConnectedMs / 1000).toFixed(1)} s`);
    await waitUntil(async () => (await onlineCount(rig)) === options.devices, rampMs);
    const allOnlineMs = Date.now() - fleetStarted;
    note(
      `${options.devices} devices online in Firestore ${(allOnlineMs / 1000).toFixed(1)} s after the start`,
    );

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

    const groups = (): Record<string, number[]> => {
      const p = rig.pids();
      return {
        soak: [process.pid],
        broker: [p.broker],
        bridge: p.bridge ? [p.bridge] : [],
        firestore: p.firestore ? [p.firestore] : [],
        generators: runningFleet.pids(),
      };
    };
    const sample = () =>
      Object.fromEntries(Object.entries(groups()).map(([k, pids]) => [k, sampleProcesses(pids)]));
    const processesStart: Record<string, ProcessSample> = sample();
    const bridgeStart = readBridgeCounters(rig.bridgeStatsFile);
    const loadStart = loadAverage();
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
      fleet: runningFleet,
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
          deviceId: deviceIds.get(serial) as string,
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
    const processesEnd = sample();
    const bridgeEnd = readBridgeCounters(rig.bridgeStatsFile);
    const onlineAtEnd = await onlineCount(rig).catch(() => -1);
    const loadEnd = loadAverage();
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
    const outputs = await runningFleet.outputs();
    for (const doc of snapshots.docs) {
      const serial = doc.get('serial_number') as string;
      const deviceOutputs = outputs.get(serial);
      if (!deviceOutputs) continue;
      const stored = normalise(doc.get('state.outputs') ?? {});
      const actual = normalise(deviceOutputs);
      if (stored === actual) continue;
      const past = (history.get(serial) ?? []).map((h) => normalise(JSON.parse(h)));
      if (past.includes(stored)) outOfOrder++;
      else lost++;
    }
    const roundTrips = latencies.map((l) => l.ms).sort((a, b) => a - b);
    const scale: ScaleFigures = {
      generators: runningFleet.generators,
      provisioning: {
        registryMs: provisioning.registryMs,
        brokerAccountsMs: provisioning.brokerAccountsMs,
        totalMs: provisioning.totalMs,
      },
      allConnectedMs,
      allOnlineMs,
      onlineAtEnd,
      bridge: bridgeRates(bridgeStart, bridgeEnd, seconds),
      commandWritesPerSecond: sent.length / seconds,
      roundTrip: {
        count: roundTrips.length,
        p50: percentile(roundTrips, 50),
        p99: percentile(roundTrips, 99),
      },
      processes: Object.fromEntries(
        Object.keys(processesStart).map((k) => [k, processFigures(processesStart[k], processesEnd[k])]),
      ),
      loadAverage: { start: loadStart, end: loadEnd },
    };
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
      scale,
      recovery,
      events,
    };
  } finally {
    relay?.end(true);
    await fleet?.stop();
    await rig.stop();
  }
}

function normalise(outputs: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))));
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`soak: condition not met within ${timeoutMs} ms`);
    await sleep(500);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
