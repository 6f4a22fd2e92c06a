import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type RunningBroker, startBroker } from '../src/index.ts';

// Test helpers shared by the broker, bridge and simulator suites: start a real broker in a temp directory,
// connect clients with bounded waits.

export const BROKER_KINDS = ['mosquitto', 'embedded'] as const;

export async function startTestBroker(kind: 'mosquitto' | 'embedded', wsPort?: number) {
  const dataDir = mkdtempSync(join(tmpdir(), `broker-${kind}-`));
  const broker = await startBroker({ kind, port: 0, wsPort, dataDir });
  return {
    broker,
    dataDir,
    async stop() {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Connects; rejects on refusal (bad credentials) or after `timeoutMs`. Never reconnects. */
export function connectClient(url: string, options: IClientOptions, timeoutMs = 5000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...options });
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error('connect timeout'));
    }, timeoutMs);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    const fail = (error: Error) => {
      clearTimeout(timer);
      client.end(true);
      reject(error);
    };
    client.once('error', fail);
    client.once('close', () => fail(new Error('connection closed before CONNACK')));
  });
}

export function serviceClient(
  broker: RunningBroker,
  who: 'admin' | 'bridge' | 'functionsRelay',
  extra: IClientOptions = {},
) {
  const c = broker.serviceCredentials[who];
  return connectClient(broker.url, {
    username: c.username,
    password: c.password,
    protocolVersion: broker.mqttVersion,
    ...extra,
  });
}

/** Resolves with the first message on `client` satisfying `match`, or rejects after `timeoutMs`. */
export function nextMessage(
  client: MqttClient,
  match: (topic: string, payload: string) => boolean,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, payload: Buffer) => {
      const text = payload.toString();
      if (!match(topic, text)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload: text });
    };
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error('no matching message in time'));
    }, timeoutMs);
    client.on('message', onMessage);
  });
}

/** Polls `check` until it returns a truthy value (bounded). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
