import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAuthHook } from './auth-hook.ts';
import {
  type Credentials,
  extraBridgeClients,
  generateServiceCredentials,
  initialDynsecConfig,
  type ServiceCredentials,
} from './bootstrap-config.ts';
import type { DynsecConfig } from './dynsec-model.ts';
import { startDynsecResponder } from './dynsec-responder.ts';
import { startEmbeddedBroker } from './embedded.ts';
import { brokerLogs } from './logs.ts';
import { dynsecPluginPath, type MosquittoProcess, startMosquitto } from './mosquitto.ts';
import { DEVICE_ROLE_PREFIX, pinnedClientId, type ServiceUser, serviceRoles } from './roles.ts';
import { type BrokerTls, ensureBrokerTls } from './tls.ts';
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
  /** MQTT over TLS; omitted → none, 0 → a free port. The certificate comes from ensureBrokerTls(dataDir/tls). */
  tlsPort?: number;
  /** MQTT over secure WebSockets; omitted → none, 0 → a free port. */
  wssPort?: number;
  /** Holds dynamic-security.json, service-credentials.json (0600) and Mosquitto's persistence. */
  dataDir: string;
  /** Fixed service passwords (production bootstrap); otherwise generated once and kept in dataDir. */
  servicePasswords?: Partial<Record<ServiceUser, string>>;
  /** Bridge instances with an account of their own; default 1. */
  bridgeInstances?: number;
  /**
   * Embedded broker only: run it as EMQX or VerneMQ would be run: the broker asks the HTTP auth hook
   * (auth-hook.ts) and the dynsec responder (dynsec-responder.ts) answers provisioning's `$CONTROL` commands,
   * both over the same dynamic-security file.
   */
  authHook?: boolean;
}

export interface RunningBroker {
  kind: BrokerKind;
  url: string;
  wsUrl: string | null;
  /** mqtts:// and wss:// URLs when TLS listeners were asked for. */
  tlsUrl: string | null;
  wssUrl: string | null;
  port: number;
  wsPort: number | null;
  tlsPort: number | null;
  wssPort: number | null;
  /** The local CA and broker certificate, when TLS listeners run. */
  tls: BrokerTls | null;
  /** 5 for Mosquitto; 4 (3.1.1) for the embedded broker. */
  mqttVersion: 4 | 5;
  /** MQTT 5 shared subscriptions (`$share/<group>/…`) are served; false for the embedded broker. */
  sharedSubscriptions: boolean;
  dynsecFile: string;
  /** The HTTP auth hook the broker asks (authHook: true), else null. */
  authHookUrl: string | null;
  adminCredentials: Credentials;
  serviceCredentials: ServiceCredentials;
  /** The broker's process id: Mosquitto's own, or this process for the embedded broker. */
  pid: number;
  /**
   * Resolves when the broker ends: Mosquitto's process exiting (killed, crashed or stopped), the embedded
   * broker being stopped. `npm start` restarts it from here (scripts/start/supervisor.ts).
   */
  exited: Promise<void>;
  stop(): Promise<void>;
}

function missing(): never {
  throw new Error('mosquitto (with its dynamic-security plugin) is not installed');
}

/** The names the local broker certificate must carry: loopback, plus the host the listeners bind to. */
function tlsHosts(host: string): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1'];
  return hosts.includes(host) || host === '0.0.0.0' ? hosts : [...hosts, host];
}

export function mosquittoAvailable(): string | null {
  const binary = whichProgram('mosquitto');
  return binary && dynsecPluginPath() ? binary : null;
}

export interface BrokerDataOptions {
  /** Bridge instances with an account each (`bridge`, `bridge-2`, …); default 1. */
  bridgeInstances?: number;
}

/** Creates the dynamic-security file and service credentials on first use; reuses them afterwards. */
export function ensureBrokerData(
  dataDir: string,
  passwords: Partial<Record<ServiceUser, string>> = {},
  options: BrokerDataOptions = {},
) {
  mkdirSync(dataDir, { recursive: true });
  const dynsecFile = join(dataDir, 'dynamic-security.json');
  const credentialsFile = join(dataDir, 'service-credentials.json');
  const bridgeInstances = options.bridgeInstances ?? 1;
  if (existsSync(dynsecFile) && existsSync(credentialsFile)) {
    const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as ServiceCredentials;
    const credentials = withPinnedIds(stored);
    // Service roles follow the code (e.g. a new topic for the bridge); device clients and roles are kept.
    const current = JSON.parse(readFileSync(dynsecFile, 'utf8')) as DynsecConfig;
    const services = serviceRoles();
    current.roles = [
      ...current.roles.filter((r) => !services.some((s) => s.rolename === r.rolename)),
      ...services,
    ];
    pinClientIds(current, credentials);
    for (const extra of extraBridgeClients(credentials, bridgeInstances)) {
      if (!current.clients.some((c) => c.username === extra.username)) current.clients.push(extra);
    }
    writeFileSync(dynsecFile, JSON.stringify(current, null, 2), { mode: 0o600 });
    writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    return { dynsecFile, credentials };
  }
  const credentials = generateServiceCredentials(passwords);
  writeFileSync(dynsecFile, JSON.stringify(initialDynsecConfig(credentials, bridgeInstances), null, 2), {
    mode: 0o600,
  });
  writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { dynsecFile, credentials };
}

function withPinnedIds(stored: ServiceCredentials): ServiceCredentials {
  const out = { ...stored };
  for (const key of Object.keys(out) as ServiceUser[]) {
    const clientId = pinnedClientId(key);
    if (clientId) out[key] = { ...out[key], clientId };
  }
  return out;
}

/** A file written before client ids were pinned: every device to its serial, each service as today. */
function pinClientIds(config: DynsecConfig, credentials: ServiceCredentials): void {
  for (const client of config.clients) {
    const deviceRole = client.roles?.find((r) => r.rolename.startsWith(DEVICE_ROLE_PREFIX));
    if (deviceRole && client.clientid === undefined) {
      client.clientid = deviceRole.rolename.slice(DEVICE_ROLE_PREFIX.length);
    }
    for (const key of Object.keys(credentials) as ServiceUser[]) {
      if (client.username === credentials[key].username && credentials[key].clientId) {
        client.clientid = credentials[key].clientId;
      }
    }
  }
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
  const { dynsecFile, credentials } = ensureBrokerData(options.dataDir, options.servicePasswords, {
    bridgeInstances: options.bridgeInstances,
  });
  const wantsTls = options.tlsPort !== undefined || options.wssPort !== undefined;
  const tls = wantsTls ? ensureBrokerTls(join(options.dataDir, 'tls'), { hosts: tlsHosts(host) }) : null;

  const listeners = {
    port: options.port ?? 0,
    wsPort: options.wsPort,
    tlsPort: options.tlsPort,
    wssPort: options.wssPort,
  };
  if (options.authHook && kind !== 'embedded')
    throw new Error('authHook: only the embedded broker is wired to the HTTP auth hook here');
  const hook = options.authHook ? await startAuthHook({ dynsecFile, host }) : null;
  const running =
    kind === 'mosquitto'
      ? await startMosquitto({
          binary: mosquittoBinary ?? missing(),
          host,
          ...listeners,
          ...(tls ? { tls } : {}),
          dataDir: options.dataDir,
          dynsecFile,
        })
      : await startEmbeddedBroker({
          host,
          ...listeners,
          ...(tls
            ? { tls: { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') } }
            : {}),
          dynsecFile,
          ...(hook ? { authHookUrl: hook.url } : {}),
        });
  const { port, wsPort, tlsPort, wssPort } = running;
  const responder = hook
    ? await startDynsecResponder({ url: `mqtt://${host}:${port}`, ...credentials.admin, dynsecFile })
    : null;
  let stopped: () => void = () => undefined;
  const child = 'process' in running ? (running as MosquittoProcess) : null;
  const exited = child ? child.exited : new Promise<void>((resolve) => (stopped = resolve));
  const stop = async () => {
    try {
      await responder?.stop();
      await running.stop();
      await hook?.stop();
    } finally {
      stopped();
    }
  };
  const url = `mqtt://${host}:${port}`;
  const wsUrl = wsPort === null ? null : `ws://${host}:${wsPort}`;
  const tlsUrl = tlsPort === null ? null : `mqtts://${host}:${tlsPort}`;
  const wssUrl = wssPort === null ? null : `wss://${host}:${wssPort}`;
  brokerLogs.started(kind, url, wsUrl);
  let stopping: Promise<void> | null = null;
  return {
    kind,
    url,
    wsUrl,
    tlsUrl,
    wssUrl,
    port,
    wsPort,
    tlsPort,
    wssPort,
    tls,
    mqttVersion: kind === 'mosquitto' ? 5 : 4,
    sharedSubscriptions: kind === 'mosquitto',
    dynsecFile,
    authHookUrl: hook?.url ?? null,
    adminCredentials: credentials.admin,
    serviceCredentials: credentials,
    pid: child?.process.pid ?? process.pid,
    exited,
    stop() {
      stopping ??= stop().then(() => brokerLogs.stopped(kind));
      return stopping;
    },
  };
}
