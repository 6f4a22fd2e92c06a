import { parseArgs } from 'node:util';
import { benchBrokerKind } from '@esp32cloud/tests/harness/broker-kind';
import { runSoak, type SoakReport } from './soak/soak.ts';

// `npm run soak -- --devices 1000 --rate 1 --minutes 10 [--chaos] [--break broker|bridge|firestore ...]
// [--generators N] [--concurrency N] [--connect-rate N]`: the long run of issue 17 (scripts/soak/), and the
// 10,000-device run of issue 21 (`--devices 10000 --rate 0.2 --minutes 3 --generators 4 --connect-rate 60`).
// --rate is commands per device per minute; --generators the processes running the simulated devices (default
// one per 2,500), --concurrency the devices each connects at once (default 100), --connect-rate the devices
// the whole fleet starts per second (default: no limit). --chaos kills and restarts the
// broker, then the bridge, then the Firestore emulator (30 s away); --break picks which, spread over the run. Prints lost / duplicated / out-of-order (aim 0 / 0 / 0), latency percentiles
// per minute and each process's memory at start and end; exits 1 when anything was lost, duplicated, reordered
// or left pending. Mosquitto unless TEST_BROKER=embedded.

process.env.METADATA_SERVER_DETECTION ??= 'none';
const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1' },
    minutes: { type: 'string', default: '10' },
    chaos: { type: 'boolean', default: false },
    generators: { type: 'string' },
    concurrency: { type: 'string' },
    'connect-rate': { type: 'string' },
    break: { type: 'string', multiple: true, default: [] },
  },
});
const number = (name: string, raw: string) => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number (got "${raw}")`);
    process.exit(2);
  }
  return value;
};

const report = await runSoak({
  devices: Math.round(number('devices', values.devices)),
  rate: number('rate', values.rate),
  minutes: number('minutes', values.minutes),
  chaos: values.chaos,
  ...(values.generators ? { generators: Math.round(number('generators', values.generators)) } : {}),
  ...(values.concurrency ? { concurrency: Math.round(number('concurrency', values.concurrency)) } : {}),
  ...(values['connect-rate'] ? { connectRate: number('connect-rate', values['connect-rate']) } : {}),
  breaks: values.break.map((name) => {
    if (name !== 'broker' && name !== 'bridge' && name !== 'firestore') {
      console.error(`--break must be broker, bridge or firestore (got "${name}")`);
      process.exit(2);
    }
    return name;
  }),
  kind: benchBrokerKind(),
  log: (line) => console.log(`[soak] ${line}`),
});
printReport(report);
process.exit(report.lost + report.duplicated + report.outOfOrder + report.stuck === 0 ? 0 : 1);

function printReport(r: SoakReport): void {
  const s = r.scale;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    '',
    `Fleet: ${r.devices} devices over ${s.generators} generator processes (load average ${s.loadAverage.start} at the start, ${s.loadAverage.end} at the end)`,
    `  provisioning ${seconds(s.provisioning.totalMs)}: registry records ${seconds(s.provisioning.registryMs)}, broker accounts ${seconds(s.provisioning.brokerAccountsMs)} (one file write), rest the broker restart`,
    `  all connected ${seconds(s.allConnectedMs)} after the fleet started; all online in Firestore after ${seconds(s.allOnlineMs)}`,
    `  online in Firestore at the end of the run: ${s.onlineAtEnd} of ${r.devices}`,
    s.bridge
      ? `  bridge: ${s.bridge.messagesPerSecond.toFixed(1)} messages/s taken, ${s.bridge.writesPerSecond.toFixed(1)} device-document writes/s, ${s.bridge.acksPerSecond.toFixed(1)} acks/s, ${s.bridge.dropped} dropped; command documents ${s.commandWritesPerSecond.toFixed(1)}/s`
      : '  bridge: no counters over the window (it restarted)',
    `  commands sent ${r.commandsSent}, acked in Firestore ${r.ackedInFirestore}, lost ${r.lost}; round trip (published → ack in Firestore) median ${s.roundTrip.p50} ms, p99 ${s.roundTrip.p99} ms (n=${s.roundTrip.count})`,
    '  processes over the run (RSS MB start → end, CPU % of one core):',
    ...Object.entries(s.processes).map(
      ([name, p]) =>
        `    ${name}: ${p.rssStartMb} → ${p.rssEndMb} MB, CPU ${p.cpuPercent === null ? 'n/a (restarted)' : `${p.cpuPercent} %`}`,
    ),
    '',
    `Soak: ${r.devices} devices, ${r.seconds.toFixed(0)} s, ${r.commandsSent} commands (${r.commandsPerSecond.toFixed(1)}/s; each an ack and a status from the device)`,
    `  lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder}, stuck pending ${r.stuck}`,
    `  acked by devices ${r.ackedByDevices}, acked in Firestore ${r.ackedInFirestore}, timed out (device offline when sent) ${r.timedOut}`,
    `  refused while the broker was down ${r.refusedBrokerDown}, while Firestore was down ${r.refusedFirestoreDown} (the API answers 503)`,
    '  latency, command published → ack written in Firestore (ms):',
    ...r.latency.map(
      (m) => `    minute ${m.minute + 1}: n=${m.count} p50 ${m.p50} p95 ${m.p95} p99 ${m.p99}`,
    ),
    ...(r.recovery.brokerRestart
      ? [
          `  broker restart → devices online: ${r.recovery.brokerRestart.reconnected}/${r.recovery.brokerRestart.devices}, p50 ${r.recovery.brokerRestart.p50Ms} ms, p99 ${r.recovery.brokerRestart.p99Ms} ms, max ${r.recovery.brokerRestart.maxMs} ms`,
        ]
      : []),
    ...(r.recovery.bridgeRestartDrainedMs !== undefined
      ? [`  bridge restart → backlog drained: ${r.recovery.bridgeRestartDrainedMs} ms`]
      : []),
    ...(r.events.length > 0 ? ['  events:', ...r.events.map((e) => `    ${e}`)] : []),
  ];
  console.log(lines.join('\n'));
}
