import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_UPDATE_INTERVAL,
  deviceTypeSchema,
  type FlashConfig,
  randomDeviceId,
} from '@esp32cloud/protocol';
import { readFlashConfigs, startFleet } from './fleet.ts';

// npm run simulate -- --from DIR            every provisioned device in DIR (the provision CLI's output)
// npm run simulate -- --serial SN --password PW [--type 4Relay] [--broker mqtt://127.0.0.1:1883]
// Options: --broker URL (override), --ca FILE (CA certificate for mqtts://, default $MQTT_CA_FILE; the local
//          broker's is .tmp/run/broker/tls/ca.crt), --count N (first N of DIR), --interval S (update_interval override),
//          --fault drop|silent|garbage|no_ack (every device misbehaves once connected; see device/faults.ts),
//          --factory-reset (every device is reset by its button once connected and reports it).

const usage = `usage: npm run simulate -- (--from DIR | --serial SN --password PW [--type 4Relay|LED|Sensor])
       [--broker URL] [--ca FILE] [--count N] [--interval SECONDS] [--fault drop|silent|garbage|no_ack]
       [--factory-reset]`;

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    serial: { type: 'string' },
    password: { type: 'string' },
    username: { type: 'string' },
    type: { type: 'string', default: '4Relay' },
    broker: { type: 'string' },
    ca: { type: 'string' },
    count: { type: 'string' },
    interval: { type: 'string' },
    fault: { type: 'string' },
    'factory-reset': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (values.help || (!values.from && !values.serial)) {
  process.stderr.write(`${usage}\n`);
  process.exit(values.help ? 0 : 2);
}

let configs: FlashConfig[];
if (values.from) {
  configs = readFlashConfigs(values.from);
} else {
  const type = deviceTypeSchema.safeParse(values.type);
  if (!type.success || !values.password) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  configs = [
    {
      v: 1,
      serial_number: values.serial as string,
      device_id: randomDeviceId(),
      device_type: type.data,
      broker_url: values.broker ?? process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
      username: values.username ?? (values.serial as string),
      password: values.password,
      update_interval: DEFAULT_UPDATE_INTERVAL,
    },
  ];
}
if (values.count) configs = configs.slice(0, Number.parseInt(values.count, 10));
if (values.interval) {
  const seconds = Number.parseInt(values.interval, 10);
  configs = configs.map((c) => ({ ...c, update_interval: seconds }));
}
if (configs.length === 0) {
  process.stderr.write('no provisioned devices found\n');
  process.exit(1);
}

const FAULTS = ['drop', 'silent', 'garbage', 'no_ack'] as const;
const fault = values.fault as (typeof FAULTS)[number] | undefined;
if (fault !== undefined && !FAULTS.includes(fault)) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const caFile = values.ca ?? process.env.MQTT_CA_FILE ?? runningStackCa();
const fleet = startFleet(configs, {
  ...(values.broker ? { brokerUrl: values.broker } : {}),
  ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
});
if (fault) {
  for (const device of fleet.devices) {
    device.events.once('connected', () => void device.injectFault({ kind: fault }));
  }
}
if (values['factory-reset']) {
  for (const device of fleet.devices) {
    device.events.once('connected', () => void device.factoryReset());
  }
}
// Devices' reconnect timers do not hold the process: while the broker is away nothing else would, and the
// fleet would end instead of reconnecting. It runs until a signal.
const keepAlive = setInterval(() => undefined, 60_000);
const shutdown = async () => {
  clearInterval(keepAlive);
  await fleet.stop();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);

/** The local CA of a running `npm start` (its stack description), so its TLS broker needs no --ca. */
function runningStackCa(): string | undefined {
  const file = path.resolve(import.meta.dirname, '../../.tmp/run/stack.json');
  if (!existsSync(file)) return undefined;
  try {
    const description = JSON.parse(readFileSync(file, 'utf8')) as { broker?: { caFile?: string | null } };
    return description.broker?.caFile ?? undefined;
  } catch {
    return undefined;
  }
}
