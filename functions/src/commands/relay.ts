import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';

// The functions-side MQTT client. One connection per function instance, reused across invocations; every
// step bounded in time, so a broker outage turns into a prompt RelayUnavailableError (→ HTTP 503), never a
// hanging request. A dropped connection is replaced on the next call.

export interface RelayOptions {
  url: string;
  username: string;
  password: string;
  /** PEM file of the CA that issued the broker's certificate; '' trusts the system's CAs only. */
  caFile?: string;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
}

export class RelayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayUnavailableError';
  }
}

export class CommandRelay {
  private client: MqttClient | null = null;
  private connecting: Promise<MqttClient> | null = null;

  constructor(private readonly options: RelayOptions) {}

  /** Publishes at QoS 1 and resolves once the broker acknowledged (PUBACK). */
  async publish(topic: string, payload: string): Promise<void> {
    const client = await this.connection();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.discard(client);
        reject(
          new RelayUnavailableError(`broker did not acknowledge within ${this.options.publishTimeoutMs} ms`),
        );
      }, this.options.publishTimeoutMs);
      client.publish(topic, payload, { qos: 1 }, (error) => {
        clearTimeout(timer);
        if (error) {
          this.discard(client);
          reject(new RelayUnavailableError(`publish failed: ${error.message}`));
        } else resolve();
      });
    });
  }

  /** Connects if needed (for the health probe). */
  async probe(): Promise<void> {
    await this.connection();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  private connection(): Promise<MqttClient> {
    if (this.client?.connected) return Promise.resolve(this.client);
    if (this.client) this.discard(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private open(): Promise<MqttClient> {
    const { url, username, password, connectTimeoutMs, caFile } = this.options;
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(url, {
        ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
        clientId: `functions-relay-${randomUUID().slice(0, 12)}`,
        username,
        password,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: connectTimeoutMs,
        keepalive: 60,
      });
      const fail = (reason: string) => {
        clearTimeout(timer);
        client.end(true);
        reject(new RelayUnavailableError(reason));
      };
      const timer = setTimeout(
        () => fail(`no broker connection within ${connectTimeoutMs} ms`),
        connectTimeoutMs,
      );
      client.once('connect', () => {
        clearTimeout(timer);
        client.removeAllListeners('error');
        client.on('error', () => this.discard(client));
        client.on('close', () => this.discard(client));
        this.client = client;
        resolve(client);
      });
      client.once('error', (error) => fail(`broker refused the connection: ${error.message}`));
      client.once('close', () => fail('broker closed the connection'));
    });
  }

  private discard(client: MqttClient): void {
    if (this.client === client) this.client = null;
    client.end(true);
  }
}
