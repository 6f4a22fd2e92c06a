import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Credentials,
  generateServiceCredentials,
  initialDynsecConfig,
  type ServiceCredentials,
} from './bootstrap-config.ts';
import type { DynsecConfig } from './dynsec-model.ts';
import { startEmbeddedBroker } from './embedded.ts';
import { brokerLogs } from './logs.ts';
import { dynsecPluginPath, startMosquitto } from './mosquitto.ts';
import { type ServiceUser, serviceRoles } from './roles.ts';
import { whichProgram } from './which.ts';

export type BrokerKind = 'mosquitto' | 'embedded';

export interface StartBrokerOptions {
  /** Default: Mosquitto when it (and its dynamic-security plugin) is installed, else embedded. */
  kind?: BrokerKind | 'auto';
  host?: string;
  /** 0 (default) → a free port. */
  port?: number;
  /** WebSocket listener; omitted → none, 0 → a free port. */
  wsPort?: number;
  /** Holds dynamic-security.json, service-credentials.json (0600) and Mosquitto's persistence. */
  dataDir: string;
  /** Fixed service passwords (production bootstrap); otherwise generated once and kept in dataDir. */
  servicePasswords?: Partial<Record<ServiceUser, string>>;
}

export interface RunningBroker {
  kind: BrokerKind;
  url: string;
  wsUrl: string | null;
  port: number;
  wsPort: number | null;
  /** 5 for Mosquitto; 4 (3.1.1) for the embedded broker. */
  mqttVersion: 4 | 5;
  /** MQTT 5 shared subscriptions (`$share/<group>/…`) are served; false for the embedded broker. */
  sharedSubscriptions: boolean;
  dynsecFile: string;
  adminCredentials: Credentials;
  serviceCredentials: ServiceCredentials;
  stop(): Promise<void>;
}

export function mosquittoAvailable(): string | null {
  const binary = whichProgram('mosquitto');
  return binary && dynsecPluginPath() ? binary : null;
}

/** Creates the dynamic-security file and service credentials on first use; reuses them afterwards. */
export function ensureBrokerData(dataDir: string, passwords: Partial<Record<ServiceUser, string>> = {}) {
  mkdirSync(dataDir, { recursive: true });
  const dynsecFile = join(dataDir, 'dynamic-security.json');
  const credentialsFile = join(dataDir, 'service-credentials.json');
  if (existsSync(dynsecFile) && existsSync(credentialsFile)) {
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as ServiceCredentials;
    // Service roles follow the code (e.g. a new topic for the bridge); device clients and roles are kept.
    const current = JSON.parse(readFileSync(dynsecFile, 'utf8')) as DynsecConfig;
    const services = serviceRoles();
    current.roles = [
      ...current.roles.filter((r) => !services.some((s) => s.rolename === r.rolename)),
      ...services,
    ];
    writeFileSync(dynsecFile, JSON.stringify(current, null, 2), { mode: 0o600 });
    return { dynsecFile, credentials };
  }
  const credentials = generateServiceCredentials(passwords);
  writeFileSync(dynsecFile, JSON.stringify(initialDynsecConfig(credentials), null, 2), { mode: 0o600 });
  writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { dynsecFile, credentials };
}

export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const mosquittoBinary = mosquittoAvailable();
  const kind: BrokerKind =
    options.kind === 'mosquitto' || options.kind === 'embedded'
      ? options.kind
      : mosquittoBinary
        ? 'mosquitto'
        : 'embedded';
  const { dynsecFile, credentials } = ensureBrokerData(options.dataDir, options.servicePasswords);

  let port: number;
  let wsPort: number | null;
  let stop: () => Promise<void>;
  if (kind === 'mosquitto') {
    if (!mosquittoBinary) throw new Error('mosquitto (with its dynamic-security plugin) is not installed');
    const running = await startMosquitto({
      binary: mosquittoBinary,
      host,
      port: options.port ?? 0,
      wsPort: options.wsPort,
      dataDir: options.dataDir,
      dynsecFile,
    });
    ({ port, wsPort } = running);
    stop = running.stop;
  } else {
    const running = await startEmbeddedBroker({
      host,
      port: options.port ?? 0,
      wsPort: options.wsPort,
      dynsecFile,
    });
    ({ port, wsPort } = running);
    stop = running.stop;
  }
  const url = `mqtt://${host}:${port}`;
  const wsUrl = wsPort === null ? null : `ws://${host}:${wsPort}`;
  brokerLogs.started(kind, url, wsUrl);
  let stopping: Promise<void> | null = null;
  return {
    kind,
    url,
    wsUrl,
    port,
    wsPort,
    mqttVersion: kind === 'mosquitto' ? 5 : 4,
    sharedSubscriptions: kind === 'mosquitto',
    dynsecFile,
    adminCredentials: credentials.admin,
    serviceCredentials: credentials,
    stop() {
      stopping ??= stop().then(() => brokerLogs.stopped(kind));
      return stopping;
    },
  };
}
