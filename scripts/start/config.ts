import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/firebase-emulators.ts';

// Everything `npm start` can be told, from the environment (or flags: `npm start -- --hosting-port 5050`).

export interface PortSetting {
  key: string;
  label: string;
  env: string;
  flag: string;
  port: number;
}

function readProjectId(): string {
  const rc = JSON.parse(readFileSync(path.join(repoRoot, '.firebaserc'), 'utf8')) as {
    projects: { default: string };
  };
  return rc.projects.default;
}

function setting(key: string, label: string, env: string, fallback: number, argv: string[]): PortSetting {
  const flag = `--${key}-port`;
  const fromFlag = argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined;
  const raw = fromFlag ?? process.env[env];
  const port = raw === undefined ? fallback : Number.parseInt(raw, 10);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StartError(`${label} port "${raw}" is not a port number (1-65535). Set ${env} or ${flag}.`);
  }
  return { key, label, env, flag, port };
}

export class StartError extends Error {}

export function readStartConfig(argv = process.argv.slice(2)) {
  const ports = {
    hosting: setting('hosting', 'Web app (Hosting emulator)', 'HOSTING_PORT', 5000, argv),
    functions: setting('functions', 'Functions emulator', 'FUNCTIONS_PORT', 5001, argv),
    firestore: setting('firestore', 'Firestore emulator', 'FIRESTORE_PORT', 8080, argv),
    auth: setting('auth', 'Auth emulator', 'AUTH_PORT', 9099, argv),
    hub: setting('hub', 'Emulator hub', 'HUB_PORT', 4400, argv),
    logging: setting('logging', 'Emulator logging', 'LOGGING_PORT', 4500, argv),
    eventarc: setting('eventarc', 'Eventarc emulator', 'EVENTARC_PORT', 9299, argv),
    tasks: setting('tasks', 'Cloud Tasks emulator', 'TASKS_PORT', 9499, argv),
    mqtt: setting('mqtt', 'MQTT broker', 'MQTT_PORT', 1883, argv),
    mqttWs: setting('mqtt-ws', 'MQTT over WebSocket', 'MQTT_WS_PORT', 8083, argv),
    mqtts: setting('mqtts', 'MQTT over TLS', 'MQTTS_PORT', 8883, argv),
    mqttWss: setting('mqtt-wss', 'MQTT over secure WebSocket', 'MQTT_WSS_PORT', 8443, argv),
    smtp: setting('smtp', 'Mail catcher (SMTP)', 'SMTP_PORT', 1025, argv),
    mailWeb: setting('mail-web', 'Mail catcher inbox', 'MAIL_WEB_PORT', 1080, argv),
    stackHealth: setting('stack-health', 'Stack health (supervised parts)', 'STACK_HEALTH_PORT', 4401, argv),
    stripe: setting('stripe', 'Stripe stand-in (billing)', 'STRIPE_STANDIN_PORT', 12111, argv),
  };
  return {
    projectId: readProjectId(),
    host: '127.0.0.1',
    ports,
    dataDir: path.join(repoRoot, 'emulator-data'),
    /** Per-run state (broker data, provisioned devices, the served web root); ESP32_RUN_DIR moves it. */
    runDir: process.env.ESP32_RUN_DIR || path.join(repoRoot, '.tmp', 'run'),
    exportOnExit: argv.includes('--export-on-exit'),
    skipBuild: argv.includes('--no-build'),
    /**
     * Functions emulator workers started before the stack is ready (FUNCTIONS_WARM_WORKERS, default 4): that
     * many concurrent API requests find a warm worker; more start workers of their own (docs/SCALING.md).
     */
    warmFunctionWorkers: warmWorkers(process.env.FUNCTIONS_WARM_WORKERS),
    /** How many simulated devices to run (the seed devices in emulator-data/devices.json). */
    simulate: !argv.includes('--no-devices'),
    /** Billing against the local Stripe stand-in (docs/BILLING.md); BILLING=off runs with plans set by operators. */
    billing: process.env.BILLING !== 'off',
  };
}

/** `npm start`'s Functions worker pool when FUNCTIONS_WARM_WORKERS is unset; benches measure with the same. */
export const DEFAULT_WARM_FUNCTION_WORKERS = 4;

function warmWorkers(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_WARM_FUNCTION_WORKERS;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 64)
    throw new StartError(`FUNCTIONS_WARM_WORKERS "${raw}" is not a whole number from 0 to 64.`);
  return count;
}

export type StartConfig = ReturnType<typeof readStartConfig>;
