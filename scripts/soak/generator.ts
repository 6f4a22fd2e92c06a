import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import type { GeneratorCommand, GeneratorReport } from './fleet.ts';

// One generator process of the soak's fleet (fleet.ts): runs its slice of simulated devices, connecting at
// most `concurrency` at once and, when asked, at most `connectRate` a second (a device whose first connection takes longer than connectTimeoutMs gives its
// slot to the next and keeps retrying with its own backoff), and reports to the parent over IPC in batches.
// Ends when told to stop or when the parent goes away.

const devices = new Map<string, SimulatedDevice>();
let connected: Array<[string, number]> = [];
let commands: Array<[string, string, string]> = [];

const send = (report: GeneratorReport) => {
  if (process.connected) process.send?.(report);
};
const flush = () => {
  if (connected.length > 0) {
    send({ type: 'connected', serials: connected.map(([s]) => s), at: connected.map(([, at]) => at) });
    connected = [];
  }
  if (commands.length > 0) {
    send({ type: 'commands', items: commands });
    commands = [];
  }
};
const flushing = setInterval(flush, 100);

async function start(command: Extract<GeneratorCommand, { type: 'start' }>): Promise<void> {
  let next = 0;
  const interval = command.connectRate > 0 ? 1000 / command.connectRate : 0;
  let nextStartAt = Date.now();
  const lane = async () => {
    while (next < command.configs.length) {
      const config = command.configs[next++];
      if (interval > 0) {
        const slot = Math.max(nextStartAt, Date.now());
        nextStartAt = slot + interval;
        await new Promise((resolve) => setTimeout(resolve, slot - Date.now()));
      }
      const serial = config.serial_number;
      const device = startSimulatedDevice(config, { brokerUrl: command.brokerUrl });
      devices.set(serial, device);
      device.events.on('connected', () => connected.push([serial, Date.now()]));
      device.events.on('command', (applied: { id: string }) =>
        commands.push([serial, applied.id, JSON.stringify(device.state().outputs)]),
      );
      await device.waitConnected(command.connectTimeoutMs).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, lane));
}

async function stop(): Promise<void> {
  clearInterval(flushing);
  await Promise.all([...devices.values()].map((d) => d.stop({ graceful: false }))).catch(() => undefined);
  process.exit(0);
}

process.on('message', (command: GeneratorCommand) => {
  if (command.type === 'start') void start(command);
  else if (command.type === 'outputs') {
    flush();
    send({ type: 'outputs', outputs: [...devices].map(([serial, d]) => [serial, d.state().outputs]) });
  } else if (command.type === 'stop') {
    flush();
    void stop();
  }
});
process.on('disconnect', () => void stop());
send({ type: 'ready' });
