import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { start as startFirestore } from '@esp32cloud/firestore-emulator';
import {
  CONFIG_SCRIPT_PATH,
  localRuntimeConfig,
  renderConfigScript,
} from '@esp32cloud/hosting/runtime-config';
import { startMailCatcher } from '@esp32cloud/mail-catcher';
import { functionsBillingEnv, type StripeStandin, startLocalStripeStandin } from '@esp32cloud/stripe-standin';
import { RUNNING_STACK_FILE, type RunningStackDescription } from '@esp32cloud/tests/harness/stack';
import { repoRoot, startFirebaseEmulators } from './lib/firebase-emulators.ts';
import { readStartConfig, type StartConfig, StartError } from './start/config.ts';
import { provisionSeedDevices } from './start/devices.ts';
import { startHealthServer } from './start/health.ts';
import { findBusyPorts } from './start/ports.ts';
import { type SupervisedBackbone, startSupervisedBackbone } from './start/supervised-backbone.ts';
import { printTable, type TableRow } from './start/table.ts';

// Google's client libraries otherwise probe the cloud metadata server (an address off this machine) when no
// credential is configured; the local stack never needs it.
process.env.METADATA_SERVER_DETECTION ??= 'none';

// `npm start`: the whole local platform from one command. The broker, the bridge and the simulated devices
// are supervised (restarted with backoff when they die; scripts/start/supervisor.ts). Every piece is stopped,
// in reverse order, on Ctrl-C, SIGTERM, SIGHUP or when stdout's reader goes away (`npm start | tee log`
// stopped with Ctrl-C), so nothing is left running or listening.

type Stop = () => Promise<void>;
const stops: Array<{ name: string; stop: Stop }> = [];
let stopping = false;
let backbone: SupervisedBackbone | null = null;

async function main(): Promise<void> {
  const config = readStartConfig();
  const busy = await findBusyPorts(Object.values(config.ports));
  if (busy.length > 0) {
    const lines = busy.map(
      (p) =>
        `  - port ${p.port} (${p.label}) is already in use. Choose another: ${p.env}=<port> npm start   (or npm start -- ${p.flag} <port>)`,
    );
    throw new StartError(
      `Cannot start: ${busy.length === 1 ? 'a port is' : 'ports are'} busy. Is another \`npm start\` running?\n${lines.join('\n')}`,
    );
  }
  // Broker and bridge state is per run: every start gets fresh broker credentials and freshly provisioned
  // simulated devices, matching the freshly imported Firestore data.
  rmSync(config.runDir, { recursive: true, force: true });
  mkdirSync(config.runDir, { recursive: true });
  if (!config.skipBuild) await buildAll();

  const rows: TableRow[] = [];
  const firestore = await startFirestore({
    host: config.host,
    port: config.ports.firestore.port,
    projectId: config.projectId,
    rulesFile: path.join(repoRoot, 'firestore.rules'),
    indexesFile: path.join(repoRoot, 'firestore.indexes.json'),
    requireIndexes: true,
    importDir: config.dataDir,
    ...(config.exportOnExit ? { exportOnExit: config.dataDir } : {}),
    quiet: true,
  });
  stops.push({ name: 'Firestore emulator', stop: () => firestore.stop() });
  const firestoreHost = `${config.host}:${config.ports.firestore.port}`;

  const webRoot = prepareWebRoot(config);
  const appUrl = `http://${config.host}:${config.ports.hosting.port}`;

  // A real SMTP server with a web inbox: alert emails from the bridge land here, never on the Internet.
  const mail = await startMailCatcher({
    host: config.host,
    smtpPort: config.ports.smtp.port,
    webPort: config.ports.mailWeb.port,
  });
  stops.push({ name: 'Mail catcher', stop: () => mail.stop() });

  // Stripe cannot be reached from here: its API is a local stand-in whose pay page sends signed webhooks to the
  // API through Hosting's /api rewrite, as Stripe would to the deployed endpoint.
  let standin: StripeStandin | null = null;
  if (config.billing) {
    const started = await startLocalStripeStandin({
      host: config.host,
      port: config.ports.stripe.port,
      webhookUrl: `${appUrl}/api/billing/webhook`,
    });
    standin = started;
    stops.push({ name: 'Stripe stand-in', stop: () => started.stop() });
  }
  const billingEnv: Record<string, string> = standin ? functionsBillingEnv(standin) : {};

  backbone = await startSupervisedBackbone({
    broker: {
      kind: 'auto',
      dataDir: path.join(config.runDir, 'broker'),
      host: config.host,
      port: config.ports.mqtt.port,
      wsPort: config.ports.mqttWs.port,
      tlsPort: config.ports.mqtts.port,
      wssPort: config.ports.mqttWss.port,
    },
    projectId: config.projectId,
    firestoreHost,
    bridgeEnv: { SMTP_URL: mail.smtpUrl, APP_URL: appUrl, API_URL: appUrl },
  });
  const supervised = backbone;
  stops.push({ name: 'MQTT broker, ingest bridge and simulated devices', stop: () => supervised.stop() });
  const health = await startHealthServer(config.host, config.ports.stackHealth.port, supervised.parts);
  stops.push({ name: 'Stack health endpoint', stop: () => health.stop() });

  const devicesDir = path.join(config.runDir, 'devices');
  const seedDevices = config.simulate
    ? await provisionSeedDevices(
        devicesDir,
        {
          FIRESTORE_EMULATOR_HOST: firestoreHost,
          GCLOUD_PROJECT: config.projectId,
          ...backbone.functionsEnv,
        },
        appUrl,
        backbone.serviceUrl,
      )
    : [];
  // Over TLS, trusting the local CA: the path a real device takes with its built-in CA bundle.
  if (seedDevices.length > 0) await supervised.startFleet(devicesDir);

  const firebase = await startFirebaseEmulators({
    projectId: config.projectId,
    only: ['auth', 'functions', 'hosting'],
    ports: {
      auth: config.ports.auth.port,
      functions: config.ports.functions.port,
      hosting: config.ports.hosting.port,
      hub: config.ports.hub.port,
      logging: config.ports.logging.port,
      eventarc: config.ports.eventarc.port,
      tasks: config.ports.tasks.port,
    },
    env: { FIRESTORE_EMULATOR_HOST: firestoreHost, APP_URL: appUrl, ...backbone.functionsEnv, ...billingEnv },
    // The product's Firestore triggers (if any) run locally: firebase-tools registers them with our emulator.
    firestore,
    workDir: config.runDir,
    hostingPublicDir: webRoot,
    // A loaded machine may need longer than the default.
    readyTimeoutMs: Number(process.env.FIREBASE_READY_TIMEOUT_MS) || undefined,
    importDir: config.dataDir,
    warmFunctionWorkers: config.warmFunctionWorkers,
    ...(config.exportOnExit ? { exportOnExit: config.dataDir } : {}),
    onOutput: (line) => {
      if (/error|⚠|failed/i.test(line) && !/MOTD|remote config/.test(line)) console.log(`[firebase] ${line}`);
    },
  });
  stops.push({ name: 'Firebase emulators', stop: () => firebase.stop() });
  writeRunningStack(config, firestoreHost, appUrl, supervised);

  rows.push(
    { name: 'Web app', value: appUrl },
    { name: 'API', value: `${appUrl}/api/health` },
    {
      name: 'API (direct)',
      value: `http://${config.host}:${config.ports.functions.port}/${config.projectId}/asia-southeast1/api`,
    },
    { name: 'MQTT broker', value: `${supervised.broker.url} (${supervised.broker.kind})` },
    { name: 'MQTT over WebSocket', value: supervised.broker.wsUrl ?? '—' },
    { name: 'MQTT over TLS', value: supervised.broker.tlsUrl ?? '—' },
    { name: 'MQTT over secure WS', value: supervised.broker.wssUrl ?? '—' },
    { name: 'Broker CA file', value: supervised.broker.tls?.caFile ?? '—' },
    { name: 'Firestore emulator', value: firestoreHost },
    { name: 'Firestore data browser', value: `${firestore.url}/browser` },
    { name: 'Auth emulator', value: `${config.host}:${config.ports.auth.port}` },
    { name: 'Mail catcher', value: `${mail.webUrl}  (alert and support emails; SMTP ${mail.smtpUrl})` },
    {
      name: 'Billing',
      value: standin
        ? `Stripe stand-in at ${standin.url} (test keys; BILLING=off to run without)`
        : 'off (BILLING=off)',
    },
    {
      name: 'Demo accounts',
      value: 'demo@esp32.cloud / demo-password,  operator@esp32.cloud / operator-password',
    },
    { name: 'Provisioning files', value: devicesDir },
    { name: 'Stack health', value: `${health.url}  (supervised parts below; restarted when they die)` },
  );
  const partsTable = [
    ['Supervised part', 'State', 'Pid', 'Restarts'],
    ...supervised
      .parts()
      .map((part) => [part.name, part.state, String(part.pid ?? '—'), String(part.restarts)]),
  ];
  const deviceTable =
    seedDevices.length === 0
      ? []
      : [
          ['Simulated device', 'Type', 'Serial', 'Claim code', 'Setup link'],
          ...seedDevices.map((d) => [d.device_id, d.device_type, d.serial_number, d.claim_code, d.setup_url]),
        ];
  printTable('ESP32 Cloud is running locally — press Ctrl-C to stop everything', rows, [
    partsTable,
    deviceTable,
  ]);
}

async function buildAll(): Promise<void> {
  console.log('Building functions and web app…');
  await run(process.execPath, ['functions/build.mjs']);
  await run(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      '--mode',
      'emulators',
      '--logLevel',
      'warn',
    ],
    'hosting',
  );
}

/**
 * What `USE_RUNNING_STACK=1 npm test` reuses and `npm run provision` finds (its broker admin account, so
 * provisioned devices can connect at once). Owner-only, removed at stop and with .tmp/run at the next start.
 */
function writeRunningStack(
  config: StartConfig,
  firestoreHost: string,
  appUrl: string,
  supervised: SupervisedBackbone,
): void {
  const authHost = `${config.host}:${config.ports.auth.port}`;
  const description: RunningStackDescription = {
    projectId: config.projectId,
    firestoreHost,
    authHost,
    apiUrl: `http://${config.host}:${config.ports.functions.port}/${config.projectId}/asia-southeast1/api`,
    hostingUrl: appUrl,
    env: {
      GCLOUD_PROJECT: config.projectId,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      FIREBASE_AUTH_EMULATOR_HOST: authHost,
    },
    pid: process.pid,
    broker: {
      adminUrl: supervised.functionsEnv.BROKER_ADMIN_URL,
      deviceUrl: supervised.serviceUrl,
      caFile: supervised.broker.tls?.caFile ?? null,
    },
  };
  const file = path.join(config.runDir, path.basename(RUNNING_STACK_FILE));
  writeFileSync(file, JSON.stringify(description, null, 2), { mode: 0o600 });
  stops.push({ name: 'stack description', stop: async () => rmSync(file, { force: true }) });
}

/**
 * The Hosting emulator serves a copy of the build with this run's runtime config, so the shared hosting/dist is
 * never rewritten under another running stack.
 */
function prepareWebRoot(config: StartConfig): string {
  const webRoot = path.join(config.runDir, 'web');
  cpSync(path.join(repoRoot, 'hosting/dist'), webRoot, { recursive: true });
  writeHostingRuntimeConfig(config, webRoot);
  return webRoot;
}

function writeHostingRuntimeConfig(config: StartConfig, webRoot: string): void {
  const file = path.join(webRoot, CONFIG_SCRIPT_PATH);
  mkdirSync(path.dirname(file), { recursive: true });
  const runtime = localRuntimeConfig({
    projectId: config.projectId,
    authEmulatorUrl: `http://${config.host}:${config.ports.auth.port}`,
    // Browsers reach Firestore as localhost: the emulator's WebChannel then gives each session's long-lived
    // GET its own wc-<id>.localhost host, so more tabs than the browser's six connections per host still work.
    firestoreHost: 'localhost',
    firestorePort: config.ports.firestore.port,
  });
  writeFileSync(file, renderConfigScript(runtime));
}

function run(command: string, args: string[], cwd = '.'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: path.join(repoRoot, cwd), stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new StartError(`${command} ${args.join(' ')} failed (exit ${code}).`)),
    );
  });
}

/**
 * Stops everything, then exits. Called again while stopping (a second Ctrl-C, the next failed write to a
 * closed pipe) it does nothing: exiting early is what used to leave the emulators running.
 */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Parts the same signal reached (Ctrl-C goes to Mosquitto and the child processes too) stay down.
  backbone?.halt();
  if (stops.length > 0) say('\nStopping…');
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: unknown) => warn(`  ${name} did not stop cleanly: ${String(error)}`));
  }
  process.exit(code);
}

function warn(line: string): void {
  if (!process.stderr.destroyed && process.stderr.writable) console.error(line);
}

/** A line for the terminal, unless the terminal (or the pipe reader) is gone. */
function say(line: string): void {
  if (!process.stdout.destroyed && process.stdout.writable) console.log(line);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
// `npm start | tee log` stopped by Ctrl-C, or `npm start | head`: writing to the closed pipe fails with EPIPE.
// That ends the run like a signal, instead of crashing and leaving the emulators behind.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') void shutdown(0);
    else throw error;
  });
}

main().catch((error: unknown) => {
  if (error instanceof StartError) console.error(`\n${error.message}\n`);
  else console.error(error);
  void shutdown(1);
});
