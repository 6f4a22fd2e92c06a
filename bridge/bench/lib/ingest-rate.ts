import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BRIDGE_SHARE_GROUP, bridgeInstanceUsername, type RunningBroker } from '@esp32cloud/broker';
import { BRIDGE_FILTERS, type FlashConfig, sharedSubscription } from '@esp32cloud/protocol';
import mqtt from 'mqtt';
import { median } from '../../../scripts/lib/bench-figures.ts';
import { type BridgeConfig, startBridge } from '../../src/index.ts';
import type { PublisherCommand, PublisherReport } from './publisher.ts';

// Issue 21's bridge figure, measured fairly: the bridge's rate on unchanged messages against the raw broker
// rate, both in the same run with the same publishers (publisher.ts, its own process, one connection per
// device), the same message mix and QoS, the same broker and subscription filters. The raw subscriber is a plain
// mqtt.js client that counts messages and does nothing else (JSON not parsed). Repetitions alternate raw and
// bridge so both see the same machine load; each measures a window after a warm-up, and the median of the
// per-pair ratios is the figure. Then one bridge run where every message changes state gives writes/s.

export interface IngestRateOptions {
  broker: RunningBroker;
  devices: FlashConfig[];
  bridgeConfig: () => BridgeConfig;
  repetitions?: number;
  warmupMs?: number;
  windowMs?: number;
  /** Messages the publishers may be ahead of the subscriber's handled count. */
  creditWindow?: number;
}

interface Subscriber {
  handled(): number;
  writes(): number;
  stop(): Promise<void>;
}

interface Measured {
  rate: number;
  messages: number;
  seconds: number;
  writesPerSecond: number;
  publisherCpu: number;
  subscriberCpu: number;
  /** Share of one core the broker process used (null for the embedded broker, which runs in this process). */
  brokerCpu: number | null;
}

/** CPU seconds a process has used (user + system), from /proc; null where there is no /proc. */
function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** BENCH_CPU_PROFILE=file.cpuprofile: the V8 profile of the first bridge window (Chrome DevTools opens it). */
async function startProfiler() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const percent = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)} %`);
function describe(m: Measured, subscriber: string): string {
  return `${fmt(m.rate)} msg/s (${fmt(m.messages)} in ${m.seconds.toFixed(1)} s; CPU of one core: publishers ${percent(m.publisherCpu)}, broker ${percent(m.brokerCpu)}, ${subscriber} ${percent(m.subscriberCpu)} = ${cpuPerMessage(m).toFixed(1)} µs per message)`;
}

/** The subscriber process's CPU time per message handled: what the machine's load changes least. */
function cpuPerMessage(m: Measured): number {
  return (m.subscriberCpu * 1e6) / m.rate;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

export async function ingestRate(options: IngestRateOptions): Promise<void> {
  const { broker, devices } = options;
  const repetitions = options.repetitions ?? Number(process.env.BENCH_REPS ?? 3);
  const warmupMs = options.warmupMs ?? 2_000;
  const windowMs = options.windowMs ?? Number(process.env.BENCH_WINDOW_MS ?? 10_000);
  const creditWindow = options.creditWindow ?? Number(process.env.BENCH_CREDIT ?? 2_000);

  const publisher = fork(fileURLToPath(new URL('./publisher.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const command = (c: PublisherCommand) => publisher.send(c);
  const reply = <T extends PublisherReport['type']>(type: T) =>
    new Promise<Extract<PublisherReport, { type: T }>>((resolve, reject) => {
      const onMessage = (report: PublisherReport) => {
        if (report.type !== type) return;
        publisher.off('message', onMessage);
        publisher.off('exit', onExit);
        resolve(report as Extract<PublisherReport, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`publisher exited with ${code}`));
      publisher.on('message', onMessage);
      publisher.once('exit', onExit);
    });

  const measure = async (
    subscriber: Subscriber,
    mix: 'unchanged' | 'toggles',
    window = windowMs,
    profile?: string,
  ): Promise<Measured> => {
    let granted = creditWindow;
    command({ type: 'run', mix, credit: granted });
    const pacer = setInterval(() => {
      const credit = subscriber.handled() + creditWindow;
      if (credit - granted >= 50) {
        granted = credit;
        command({ type: 'credit', credit });
      }
    }, 5);
    const startedAt = subscriber.handled();
    await new Promise((r) => setTimeout(r, warmupMs));
    const from = { handled: subscriber.handled(), writes: subscriber.writes(), at: performance.now() };
    const cpuFrom = process.cpuUsage();
    const brokerCpuFrom = processCpuSeconds(broker.pid);
    const profiler = profile ? await startProfiler() : null;
    await new Promise((r) => setTimeout(r, window));
    if (profiler && profile) await profiler.stop(profile);
    const to = { handled: subscriber.handled(), writes: subscriber.writes(), at: performance.now() };
    const cpu = process.cpuUsage(cpuFrom);
    const brokerCpuTo = processCpuSeconds(broker.pid);
    clearInterval(pacer);
    const pauseReply = reply('paused');
    command({ type: 'pause' });
    const paused = await pauseReply;
    // Everything published reaches the subscriber before it is stopped (QoS 0 included: nothing is dropped).
    const deadline = Date.now() + 60_000;
    while (subscriber.handled() - startedAt < paused.published && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const missing = paused.published - (subscriber.handled() - startedAt);
    if (missing > 0) console.log(`    (${fmt(missing)} published messages not handled within 60 s)`);
    await subscriber.stop();
    const seconds = (to.at - from.at) / 1000;
    const totalSeconds = (window + warmupMs) / 1000;
    return {
      rate: (to.handled - from.handled) / seconds,
      messages: to.handled - from.handled,
      seconds,
      writesPerSecond: (to.writes - from.writes) / seconds,
      publisherCpu: paused.cpuMs / 1000 / totalSeconds,
      subscriberCpu: (cpu.user + cpu.system) / 1e6 / seconds,
      brokerCpu:
        brokerCpuFrom === null || brokerCpuTo === null || broker.pid === process.pid
          ? null
          : (brokerCpuTo - brokerCpuFrom) / seconds,
    };
  };

  const { control: _control, ...deviceFilters } = BRIDGE_FILTERS;
  const rawSubscriber = async (): Promise<Subscriber> => {
    // A second bridge account (same role, same share group as the bridge, which has left it meanwhile).
    const client = await mqtt.connectAsync(broker.url, {
      username: bridgeInstanceUsername(2),
      password: broker.serviceCredentials.bridge.password,
      clientId: bridgeInstanceUsername(2),
      protocolVersion: broker.mqttVersion,
      clean: true,
      reconnectPeriod: 0,
      // The bridge's client settings: the same receive window, and mqtt.js's debug logger off as in the bridge.
      log: () => undefined,
      ...(broker.mqttVersion === 5 ? { properties: { receiveMaximum: 1000 } } : {}),
    });
    let handled = 0;
    client.on('message', () => {
      handled++;
    });
    // The bridge's filters in the bridge's share group when the broker has them: the same broker path.
    const filters = Object.values(deviceFilters).map((f) =>
      broker.sharedSubscriptions ? sharedSubscription(BRIDGE_SHARE_GROUP, f) : f,
    );
    await client.subscribeAsync(filters, broker.mqttVersion === 5 ? { qos: 1, rh: 2 } : { qos: 1 });
    return {
      handled: () => handled,
      writes: () => 0,
      stop: () => client.endAsync(),
    };
  };
  const bridgeSubscriber = async (): Promise<Subscriber> => {
    const bridge = await startBridge(options.bridgeConfig());
    return {
      handled: () => {
        const stats = bridge.stats();
        return stats.processed + stats.dropped;
      },
      writes: () => bridge.stats().writes,
      stop: () => bridge.stop({ leaveGroup: true }),
    };
  };

  try {
    const connected = reply('connected');
    command({
      type: 'connect',
      url: broker.url,
      devices: devices.map((d) => ({ serial: d.serial_number, username: d.username, password: d.password })),
    });
    await connected;
    console.log(
      `bridge ingest rate vs raw broker rate (${broker.kind}, ${devices.length} devices publishing from their own process, heartbeat QoS 0 + retained status QoS 1 alternating, windows of ${windowMs / 1000} s after ${warmupMs / 1000} s warm-up), load average at start ${load()}`,
    );
    // Every device's first status (online, outputs) is written before anything is measured.
    await measure(await bridgeSubscriber(), 'unchanged', 2_000);

    const pairs: { raw: Measured; bridge: Measured }[] = [];
    for (let rep = 1; rep <= repetitions; rep++) {
      // Alternating order, so neither side always runs first after a pause.
      const rawFirst = rep % 2 === 1;
      const first = rawFirst ? await measure(await rawSubscriber(), 'unchanged') : null;
      const profile = rep === 1 ? process.env.BENCH_CPU_PROFILE : undefined;
      const bridge = await measure(await bridgeSubscriber(), 'unchanged', windowMs, profile);
      if (profile) console.log(`    (CPU profile of this process during the bridge's window: ${profile})`);
      const raw = first ?? (await measure(await rawSubscriber(), 'unchanged'));
      pairs.push({ raw, bridge });
      console.log(
        `  rep ${rep}: raw ${describe(raw, 'subscriber')}; bridge ${describe(bridge, 'bridge')}: ratio ${(bridge.rate / raw.rate).toFixed(2)}; load ${load()}`,
      );
    }
    const ratios = pairs.map((p) => p.bridge.rate / p.raw.rate);
    const rawCpu = median(pairs.map((p) => cpuPerMessage(p.raw)));
    const bridgeCpu = median(pairs.map((p) => cpuPerMessage(p.bridge)));
    console.log(
      `  CPU per message in the subscriber's process, median: raw ${rawCpu.toFixed(1)} µs, bridge ${bridgeCpu.toFixed(1)} µs (raw / bridge = ${(rawCpu / bridgeCpu).toFixed(2)}: the ratio a subscriber-bound run would reach)`,
    );
    console.log(
      `  bridge unchanged-message rate / raw broker rate, same run: median ${median(ratios).toFixed(2)} (per rep ${ratios.map((r) => r.toFixed(2)).join(', ')}; raw median ${fmt(median(pairs.map((p) => p.raw.rate)))} msg/s, bridge median ${fmt(median(pairs.map((p) => p.bridge.rate)))} msg/s; aim ≥ 0.5)`,
    );

    const changes = await measure(await bridgeSubscriber(), 'toggles');
    console.log(
      `  bridge state changes (every status toggles a relay: one write each, batched across devices): ${fmt(changes.rate)} msg/s, ${fmt(changes.writesPerSecond)} Firestore writes/s (${fmt(changes.messages)} messages in ${changes.seconds.toFixed(1)} s); load ${load()}`,
    );
  } finally {
    command({ type: 'exit' });
  }
}
