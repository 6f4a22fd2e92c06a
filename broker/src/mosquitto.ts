import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { brokerLogs } from './logs.ts';
import { DYNSEC_PLUGIN_PATHS, type ListenerConf, renderMosquittoConf } from './mosquitto-conf.ts';
import type { BrokerTlsFiles } from './tls.ts';

export interface MosquittoOptions {
  binary: string;
  host: string;
  /** 0 → a free port. */
  port: number;
  wsPort?: number;
  /** MQTT over TLS (needs `tls`); 0 → a free port. */
  tlsPort?: number;
  /** MQTT over secure WebSockets (needs `tls`); 0 → a free port. */
  wssPort?: number;
  tls?: BrokerTlsFiles;
  dataDir: string;
  dynsecFile: string;
  startTimeoutMs?: number;
}

export interface MosquittoProcess {
  port: number;
  wsPort: number | null;
  tlsPort: number | null;
  wssPort: number | null;
  process: ChildProcess;
  /** Resolves when the broker process ends, stopped or not (a supervisor restarts it). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export function dynsecPluginPath(): string | null {
  return DYNSEC_PLUGIN_PATHS.find((p) => existsSync(p)) ?? null;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoProcess> {
  const pluginPath = dynsecPluginPath();
  if (!pluginPath) throw new Error('mosquitto dynamic-security plugin not found');
  const pick = async (p: number | undefined) =>
    p === undefined ? undefined : p || (await freePort(options.host));
  const port = (await pick(options.port)) as number;
  const wsPort = await pick(options.wsPort);
  const tlsPort = options.tls ? await pick(options.tlsPort) : undefined;
  const wssPort = options.tls ? await pick(options.wssPort) : undefined;
  const host = options.host;
  const listeners: ListenerConf[] = [
    { comment: 'Devices (MQTT 3.1.1 / 5) and services.', port, host, protocol: 'mqtt' },
  ];
  if (wsPort !== undefined) {
    listeners.push({
      comment: 'Browsers and tools over WebSockets.',
      port: wsPort,
      host,
      protocol: 'websockets',
    });
  }
  if (tlsPort !== undefined) {
    listeners.push({ comment: 'MQTT over TLS.', port: tlsPort, host, protocol: 'mqtt', tls: options.tls });
  }
  if (wssPort !== undefined) {
    listeners.push({
      comment: 'Secure WebSockets.',
      port: wssPort,
      host,
      protocol: 'websockets',
      tls: options.tls,
    });
  }
  const confFile = join(options.dataDir, 'mosquitto.conf');
  writeFileSync(
    confFile,
    renderMosquittoConf({
      listeners,
      dataDir: options.dataDir,
      dynsecFile: options.dynsecFile,
      pluginPath,
      user: process.getuid?.() === 0 ? userInfo().username : undefined,
    }),
  );
  const running = await runMosquitto({
    binary: options.binary,
    confFile,
    host: options.host,
    ports: listeners.map((l) => l.port),
    startTimeoutMs: options.startTimeoutMs,
  });
  return {
    port,
    wsPort: wsPort ?? null,
    tlsPort: tlsPort ?? null,
    wssPort: wssPort ?? null,
    ...running,
  };
}

export interface RunMosquittoOptions {
  binary: string;
  confFile: string;
  /** Where readiness is probed: every port must accept a TCP connection. */
  host: string;
  ports: number[];
  startTimeoutMs?: number;
}

/** Starts `mosquitto -c confFile` and resolves once every listener accepts connections. */
export async function runMosquitto(
  options: RunMosquittoOptions,
): Promise<{ process: ChildProcess; exited: Promise<void>; stop(): Promise<void> }> {
  const child = spawn(options.binary, ['-c', options.confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    brokerLogs.mosquittoOutput(text.trimEnd());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    if (exited) throw new Error(`mosquitto exited at start:\n${output}`);
    let ready = true;
    for (const port of options.ports) ready &&= await canConnect(options.host, port);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${options.ports.join(', ')} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    process: child,
    exited: exit,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
