import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { brokerLogs } from './logs.ts';
import { DYNSEC_PLUGIN_PATHS, renderMosquittoConf } from './mosquitto-conf.ts';

export interface MosquittoOptions {
  binary: string;
  host: string;
  /** 0 → a free port. */
  port: number;
  wsPort?: number;
  dataDir: string;
  dynsecFile: string;
  startTimeoutMs?: number;
}

export interface MosquittoProcess {
  port: number;
  wsPort: number | null;
  process: ChildProcess;
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
  const port = options.port || (await freePort(options.host));
  const wsPort = options.wsPort === undefined ? undefined : options.wsPort || (await freePort(options.host));
  const confFile = join(options.dataDir, 'mosquitto.conf');
  writeFileSync(
    confFile,
    renderMosquittoConf({
      host: options.host,
      port,
      wsPort,
      dataDir: options.dataDir,
      dynsecFile: options.dynsecFile,
      pluginPath,
      user: process.getuid?.() === 0 ? userInfo().username : undefined,
    }),
  );
  const child = spawn(options.binary, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const ready =
      (await canConnect(options.host, port)) &&
      (wsPort === undefined || (await canConnect(options.host, wsPort)));
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port} within the start timeout:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    port,
    wsPort: wsPort ?? null,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
