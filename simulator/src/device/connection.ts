import { encodePayload, type FlashConfig, LAST_WILL_PAYLOAD, topics } from '@esp32cloud/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { simulatorLogs } from '../logs.ts';

// The device's one MQTT session: its own credentials, a retained "offline" last will, a subscription to its
// control topic, and reconnection with capped, jittered exponential backoff when the session is lost.

export type Publish = (
  topic: string,
  body: object | string | Buffer,
  qos: 0 | 1,
  retain?: boolean,
) => Promise<void>;

export interface ConnectionSettings {
  url: string;
  /** CA certificate (PEM) trusted for an mqtts:// broker, as the firmware's built-in CA bundle. */
  ca?: string;
  keepaliveSeconds: number;
  backoff: { initialMs: number; maxMs: number };
  random: () => number;
}

export interface ConnectionHandlers {
  /** Connected and subscribed to the control topic; `connects` counts sessions since power-on. */
  online(connects: number): void;
  control(payload: Buffer): void;
  /** The session ended by itself (broker gone, network lost); a reconnect is already scheduled. */
  lost(): void;
}

export class DeviceConnection {
  private client: MqttClient | null = null;
  private connected = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Powered off (stopped or a power cut): no reconnect until powered on again. */
  private poweredOff = false;
  private stopped = false;
  connects = 0;

  constructor(
    private readonly flash: FlashConfig,
    private readonly settings: ConnectionSettings,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  readonly publish: Publish = (topic, body, qos, retain = false) =>
    new Promise<void>((resolve) => {
      const client = this.client;
      if (!client || !this.connected) return resolve();
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : encodePayload(body);
      client.publish(topic, payload, { qos, retain }, () => resolve());
    });

  /** Publishes at QoS 1 and resolves true once the broker acknowledged it (false when offline or refused). */
  publishAcknowledged(topic: string, body: object): Promise<boolean> {
    return new Promise((resolve) => {
      const client = this.client;
      if (!client || !this.connected) return resolve(false);
      client.publish(topic, encodePayload(body), { qos: 1 }, (error) => resolve(!error));
    });
  }

  open(): void {
    if (this.stopped) return;
    this.poweredOff = false;
    const serial = this.flash.serial_number;
    const client = mqtt.connect(this.settings.url, {
      // The broker accepts this device's credentials with its own serial as client id only.
      clientId: serial,
      ...(this.settings.ca ? { ca: this.settings.ca } : {}),
      username: this.flash.username,
      password: this.flash.password,
      protocolVersion: 4,
      clean: true,
      keepalive: this.settings.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: {
        topic: topics.status(serial),
        payload: Buffer.from(encodePayload(LAST_WILL_PAYLOAD)),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    let lastError = 'closed';
    client.on('connect', () => {
      this.connected = true;
      this.attempt = 0;
      this.connects++;
      const connects = this.connects;
      simulatorLogs.connected(serial);
      client.subscribe(topics.control(serial), { qos: 1 }, () => this.handlers.online(connects));
    });
    client.on('message', (topic, payload) => {
      if (topic === topics.control(serial)) this.handlers.control(payload);
    });
    client.on('error', (error) => {
      lastError = error.message;
    });
    client.on('close', () => {
      // A session replaced by a power cut or a stop closes late; it is no longer ours to mourn.
      if (this.client !== client) return;
      const was = this.connected;
      this.connected = false;
      if (was) this.handlers.lost();
      this.scheduleReconnect(lastError);
    });
  }

  /** A power cut: the socket dies without DISCONNECT, so the broker publishes the last will. */
  cut(): void {
    this.poweredOff = true;
    this.clearReconnect();
    const client = this.client;
    this.client = null;
    this.connected = false;
    client?.stream?.destroy();
    client?.end(true);
  }

  /** Power-off for good: optionally the "offline" status first (graceful), then the session ends. */
  async stop(graceful: boolean): Promise<void> {
    this.stopped = true;
    this.poweredOff = true;
    this.clearReconnect();
    const client = this.client;
    if (graceful && client && this.connected) {
      await this.publish(topics.status(this.flash.serial_number), LAST_WILL_PAYLOAD, 1, true);
    }
    this.connected = false;
    this.client = null;
    if (client) await client.endAsync(!graceful).catch(() => undefined);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped || this.poweredOff || this.reconnectTimer) return;
    const { initialMs, maxMs } = this.settings.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(ceiling * (0.5 + this.settings.random() * 0.5));
    this.attempt++;
    simulatorLogs.connectionLost(this.flash.serial_number, delay, reason);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open();
    }, delay);
    this.reconnectTimer.unref?.();
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
