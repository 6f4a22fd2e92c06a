import { randomUUID } from 'node:crypto';
import type { DeviceCredentials } from '@esp32cloud/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { DYNSEC_CONTROL_TOPIC, DYNSEC_RESPONSE_TOPIC, deviceRole, deviceRoleName } from './roles.ts';

// Administration of broker credentials through Mosquitto's dynamic-security control topic. The embedded
// broker answers the same commands, so this one client provisions and revokes devices on either broker.

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

export interface BrokerAdminOptions {
  url: string;
  username: string;
  password: string;
  /** Bound on connecting and on each command round trip. */
  timeoutMs?: number;
}

export type { DeviceCredentials } from '@esp32cloud/protocol';

export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`dynamic-security ${command} failed: ${reason}`);
    this.name = 'DynsecError';
  }
}

const ALREADY_EXISTS = /already exists/i;
const NOT_FOUND = /not found/i;
/** Commands per control message when provisioning in bulk. */
const BATCH = 50;

export class BrokerAdmin {
  private readonly pending = new Map<string, (r: DynsecResponse) => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== DYNSEC_RESPONSE_TOPIC) return;
      let body: { responses?: DynsecResponse[] };
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      for (const response of body.responses ?? []) {
        const id = response.correlationData;
        const resolve = id ? this.pending.get(id) : undefined;
        if (resolve && id) {
          this.pending.delete(id);
          resolve(response);
        }
      }
    });
  }

  static async connect(options: BrokerAdminOptions): Promise<BrokerAdmin> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = mqtt.connect(options.url, {
      username: options.username,
      password: options.password,
      clientId: `admin-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      connectTimeout: timeoutMs,
      reconnectPeriod: 0,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`broker admin: no connection within ${timeoutMs} ms`)),
          timeoutMs,
        );
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        client.once('close', () => {
          clearTimeout(timer);
          reject(new Error('broker admin: connection closed'));
        });
      });
      await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
    } catch (error) {
      client.end(true);
      throw error;
    }
    return new BrokerAdmin(client, timeoutMs);
  }

  /** Sends commands in one control message; resolves with their responses in order. */
  async send(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    const ids = commands.map(() => randomUUID());
    const answers = ids.map(
      (id) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.pending.delete(id);
            reject(new Error(`broker admin: no response within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
          this.pending.set(id, (response) => {
            clearTimeout(timer);
            resolve(response);
          });
        }),
    );
    const body = { commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) };
    await this.client.publishAsync(DYNSEC_CONTROL_TOPIC, JSON.stringify(body), { qos: 1 });
    return Promise.all(answers);
  }

  /** Sends commands and throws on any error not allowed by `tolerate`. */
  private async run(commands: DynsecCommand[], tolerate: (c: DynsecCommand, e: string) => boolean) {
    const responses = await this.send(commands);
    responses.forEach((response, i) => {
      if (response.error && !tolerate(commands[i], response.error)) {
        throw new DynsecError(response.command, response.error);
      }
    });
    return responses;
  }

  /** Creates (or re-keys) the device's broker client and its own-topics role. Idempotent. */
  async addDevice(device: DeviceCredentials): Promise<void> {
    await this.addDevices([device]);
  }

  async addDevices(devices: DeviceCredentials[]): Promise<void> {
    for (let i = 0; i < devices.length; i += BATCH) {
      const chunk = devices.slice(i, i + BATCH);
      const create: DynsecCommand[] = chunk.flatMap((d) => [
        { command: 'createRole', ...deviceRole(d.serial) },
        {
          command: 'createClient',
          username: d.username ?? d.serial,
          password: d.password,
          // The device may connect with its own serial as client id and no other, so a leaked credential
          // cannot take over another device's (or a service's) session.
          clientid: d.serial,
          textname: `device ${d.serial}`,
          roles: [{ rolename: deviceRoleName(d.serial) }],
        },
      ]);
      const responses = await this.run(create, (_c, e) => ALREADY_EXISTS.test(e));
      // An existing client (re-provisioning) gets the new password and its role back.
      const rekey: DynsecCommand[] = [];
      chunk.forEach((d, j) => {
        if (responses[2 * j + 1].error) {
          const username = d.username ?? d.serial;
          rekey.push({ command: 'setClientPassword', username, password: d.password });
          rekey.push({ command: 'setClientId', username, clientid: d.serial });
          rekey.push({ command: 'addClientRole', username, rolename: deviceRoleName(d.serial) });
          rekey.push({ command: 'enableClient', username });
        }
      });
      if (rekey.length) await this.run(rekey, (_c, e) => ALREADY_EXISTS.test(e));
    }
  }

  /** Revokes a device: deletes its client (the broker disconnects it at once) and its role. Idempotent. */
  async removeDevice(serial: string, username = serial): Promise<void> {
    await this.run(
      [
        { command: 'deleteClient', username },
        { command: 'deleteRole', rolename: deviceRoleName(serial) },
      ],
      (_c, e) => NOT_FOUND.test(e),
    );
  }

  async getClient(username: string): Promise<DynsecResponse> {
    const [response] = await this.send([{ command: 'getClient', username }]);
    return response;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** Opens an admin connection, runs `fn`, always closes. */
export async function withBrokerAdmin<T>(
  options: BrokerAdminOptions,
  fn: (admin: BrokerAdmin) => Promise<T>,
) {
  const admin = await BrokerAdmin.connect(options);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}
