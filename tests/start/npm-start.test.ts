import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';
import { portInUse } from '../harness/ports.ts';
import { STACK_SETTINGS } from '../harness/provision-env.ts';
import { freeStartPorts, startPortEnv } from '../harness/start-ports.ts';

// `npm start` as a newcomer runs it (on free ports, with its own run folder, so it can run beside a real one):
// the table, the web app and API answering, a second start explaining the clash, and Ctrl-C leaving nothing.

const runDir = path.join(repoRoot, '.tmp', `start-test-${process.pid}`);
const tsx = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
let env: Record<string, string>;
let ports: Record<string, number>;
let child: ChildProcess;
let output = '';

function startProcess(): ChildProcess {
  return spawn(process.execPath, [tsx, 'scripts/start.ts', '--no-build'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function waitForExit(proc: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function processesOfThisRun(): string[] {
  const list = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return list.split('\n').filter((line) => line.includes(runDir) || line.includes(`-${ports.HUB_PORT}.json`));
}

beforeAll(async () => {
  if (
    !existsSync(path.join(repoRoot, 'functions/lib/index.js')) ||
    !existsSync(path.join(repoRoot, 'hosting/dist'))
  ) {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
  }
  mkdirSync(runDir, { recursive: true });
  ports = await freeStartPorts();
  env = { ESP32_RUN_DIR: runDir, ...startPortEnv(ports) };
  child = startProcess();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no table in 150 s:\n${output}`)),
      150_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Setup link') && /ESP32_\w+\s+Sensor/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${output}`));
    });
  });
}, 180_000);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(runDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints one table with the web app, API, broker and each simulated device', () => {
    expect(output).toMatch(new RegExp(`Web app\\s+http://127\\.0\\.0\\.1:${ports.HOSTING_PORT}\\n`));
    expect(output).toMatch(
      new RegExp(`Firestore data browser\\s+http://127\\.0\\.0\\.1:${ports.FIRESTORE_PORT}/browser`),
    );
    expect(output).toContain(`http://127.0.0.1:${ports.HOSTING_PORT}/api/health`);
    expect(output).toMatch(new RegExp(`MQTT broker\\s+mqtt://127\\.0\\.0\\.1:${ports.MQTT_PORT}`));
    expect(output).toMatch(
      new RegExp(
        `Mail catcher\\s+http://127\\.0\\.0\\.1:${ports.MAIL_WEB_PORT}.*smtp://127\\.0\\.0\\.1:${ports.SMTP_PORT}`,
      ),
    );
    for (const type of ['4Relay', 'LED', 'Sensor']) {
      expect(output).toMatch(
        new RegExp(
          `ESP32_[0-9A-F]{6}\\s+${type}\\s+ESP32\\d{8}[A-Z]\\s+\\S+\\s+http://127\\.0\\.0\\.1:${ports.HOSTING_PORT}/setup\\?sn=`,
        ),
      );
    }
  });

  it('serves the web app, its setup links and the API through Hosting', async () => {
    const base = `http://127.0.0.1:${ports.HOSTING_PORT}`;
    const home = await fetch(base);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="app"');
    const setupLink = /(http:\/\/127\.0\.0\.1:\d+\/setup\?sn=\S+)/.exec(output)![1];
    const setup = await fetch(setupLink);
    expect(setup.status).toBe(200);
    const health = await (await fetch(`${base}/api/health`)).json();
    expect(health.backends).toEqual({ firestore: true, auth: true, mqtt: true });
    const inbox = await fetch(`http://127.0.0.1:${ports.MAIL_WEB_PORT}/`);
    expect(inbox.status).toBe(200);
    expect(await inbox.text()).toContain('Mail catcher');
  });

  it('runs the bridge, the simulated devices and the relay over TLS with a local CA made on first run', async () => {
    expect(output).toMatch(new RegExp(`MQTT over TLS\\s+mqtts://127\\.0\\.0\\.1:${ports.MQTTS_PORT}`));
    const tlsDir = path.join(runDir, 'broker', 'tls');
    for (const name of ['ca.crt', 'ca.key', 'server.crt', 'server.key']) {
      expect(statSync(path.join(tlsDir, name)).mode & 0o777, name).toBe(0o600);
    }
    // The bridge logged its connection: over mqtts://, as its pinned client id.
    expect(output).toMatch(
      new RegExp(
        `"bridge connected","url":"mqtts://127\\.0\\.0\\.1:${ports.MQTTS_PORT}","clientId":"bridge"`,
      ),
    );
    // Devices are flashed with the TLS URL, and each one connected (the simulator logs it) over it.
    const devicesDir = path.join(runDir, 'devices');
    const flashes = readdirSync(devicesDir).filter((name) => /^ESP32\d{8}[A-Z]\.json$/.test(name));
    expect(flashes.length).toBeGreaterThanOrEqual(3);
    for (const name of flashes) {
      const flash = JSON.parse(readFileSync(path.join(devicesDir, name), 'utf8'));
      expect(flash.broker_url).toBe(`mqtts://127.0.0.1:${ports.MQTTS_PORT}`);
      expect(output).toContain(`"device connected","serial":"${flash.serial_number}"`);
    }
    // The TLS listener presents a certificate the local CA vouches for.
    const ca = readFileSync(path.join(tlsDir, 'ca.crt'), 'utf8');
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: ports.MQTTS_PORT, ca }, () => {
        resolve(socket.authorized);
        socket.end();
      });
      socket.once('error', reject);
    });
    expect(authorized).toBe(true);
  });

  it('is found by `npm run provision` with no flags: the devices it makes connect to its broker at once', async () => {
    const out = path.join(runDir, 'provisioned');
    // Only the run folder is given (as for this npm start); nothing about Firestore or the broker.
    const provisionEnv: NodeJS.ProcessEnv = { ...process.env, ESP32_RUN_DIR: runDir };
    for (const name of STACK_SETTINGS) delete provisionEnv[name];
    const provision = spawn(
      process.execPath,
      [tsx, 'scripts/provision.ts', '--type', '4Relay', '--count', '1', '--firmware', '1.0.0', '--out', out],
      { cwd: repoRoot, env: provisionEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    provision.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    provision.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    expect(await waitForExit(provision, 120_000), log).toBe(0);
    expect(log).toContain('registering device credentials with the running npm start');

    const [name] = readdirSync(out).filter((file) => /^ESP32\w+\.json$/.test(file));
    const flash = JSON.parse(readFileSync(path.join(out, name), 'utf8'));
    expect(flash.broker_url).toBe(`mqtts://127.0.0.1:${ports.MQTTS_PORT}`);
    const device = mqtt.connect(flash.broker_url, {
      username: flash.username,
      password: flash.password,
      clientId: flash.serial_number,
      ca: readFileSync(path.join(runDir, 'broker', 'tls', 'ca.crt')),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    const connected = await new Promise<boolean>((resolve) => {
      device.once('connect', () => resolve(true));
      device.once('error', () => resolve(false));
      device.once('close', () => resolve(false));
    });
    device.end(true);
    expect(connected).toBe(true);
  }, 150_000);

  it('explains a port clash on a second start, without a stack trace', async () => {
    const second = startProcess();
    let text = '';
    second.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    second.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    expect(await waitForExit(second, 60_000)).toBe(1);
    expect(text).toContain(`port ${ports.HOSTING_PORT} (Web app (Hosting emulator)) is already in use`);
    expect(text).toContain('HOSTING_PORT=<port> npm start');
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('stops everything on Ctrl-C and leaves no process or port behind', async () => {
    process.kill(-child.pid!, 'SIGINT');
    expect(await waitForExit(child, 60_000)).toBe(0);
    for (let attempt = 0; attempt < 50 && processesOfThisRun().length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(processesOfThisRun()).toEqual([]);
    for (const [name, port] of Object.entries(ports)) expect(await portInUse(port), name).toBe(false);
  });
});
