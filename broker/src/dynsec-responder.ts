import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { applyDynsecCommand } from './dynsec-commands.ts';
import type { DynsecConfig } from './dynsec-model.ts';
import { DYNSEC_CONTROL_TOPIC, DYNSEC_RESPONSE_TOPIC } from './roles.ts';

// On a broker without Mosquitto's dynamic-security plugin (EMQX, VerneMQ, mosquitto-go-auth), nothing answers
// the `$CONTROL/dynamic-security/v1` commands provisioning sends (BrokerAdmin). This MQTT client does: it
// applies them to the dynamic-security file the HTTP auth hook reads (auth-hook.ts) and answers on the response
// topic as Mosquitto would, so provisioning, re-keying and revocation work unchanged. It connects with the
// admin account (client id admin-dynsec-…, inside the admin prefix pin). Run one per cluster: two would both
// answer. Live connections of a removed device are not dropped by it (the broker's own API would be needed);
// the device is refused at its next CONNECT.

export interface DynsecResponderOptions {
  url: string;
  username: string;
  password: string;
  dynsecFile: string;
  timeoutMs?: number;
}

export interface RunningDynsecResponder {
  stop(): Promise<void>;
}

export async function startDynsecResponder(options: DynsecResponderOptions): Promise<RunningDynsecResponder> {
  const client = await mqtt.connectAsync(options.url, {
    username: options.username,
    password: options.password,
    clientId: `admin-dynsec-${randomUUID().slice(0, 8)}`,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: options.timeoutMs ?? 5000,
  });
  // One batch at a time, in arrival order: each reads the file, applies, and writes it back whole.
  let queue = Promise.resolve();
  client.on('message', (topic, payload) => {
    if (topic !== DYNSEC_CONTROL_TOPIC) return;
    queue = queue.then(() => answer(payload)).catch(() => undefined);
  });
  await client.subscribeAsync(DYNSEC_CONTROL_TOPIC, { qos: 1 });

  async function answer(payload: Buffer): Promise<void> {
    let commands: unknown[] = [];
    try {
      const body = JSON.parse(payload.toString('utf8'));
      commands = Array.isArray(body?.commands) ? body.commands : [];
    } catch {
      return;
    }
    const config = JSON.parse(readFileSync(options.dynsecFile, 'utf8')) as DynsecConfig;
    const responses = [];
    let changed = false;
    for (const command of commands) {
      const outcome = applyDynsecCommand(config, (command ?? {}) as Record<string, unknown>);
      responses.push(outcome.response);
      changed ||= outcome.changed;
    }
    if (changed) {
      const tmp = `${options.dynsecFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(config, null, 2), { mode: 0o600 });
      renameSync(tmp, options.dynsecFile);
    }
    await client.publishAsync(DYNSEC_RESPONSE_TOPIC, JSON.stringify({ responses }), { qos: 1 });
  }

  return {
    async stop() {
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
