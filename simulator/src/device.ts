import { EventEmitter } from 'node:events';
import {
  type AckPayload,
  controlPayloadSchema,
  decodeJson,
  decodePayload,
  defaultOutputs,
  encodePayload,
  type FlashConfig,
  type HeartbeatPayload,
  LAST_WILL_PAYLOAD,
  type LogPayload,
  type Outputs,
  parseCommand,
  type Readings,
  type ResetPayload,
  type StatusPayload,
  topics,
} from '@esp32cloud/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { malformedMessages } from './garbage.ts';
import { simulatorLogs } from './logs.ts';
import { initialReadings, nextReadings } from './readings.ts';

// One virtual ESP32, the reference implementation of docs/DEVICE_PROTOCOL.md: it connects with its own
// credentials and last will, publishes retained status and periodic heartbeats, obeys and acknowledges
// control commands, reconnects with capped exponential backoff, and can be told to misbehave.

export interface SimulatorOptions {
  /** Override the flashed broker URL (e.g. a test broker on a free port). */
  brokerUrl?: string;
  /** Milliseconds per protocol second; 1000 in real time, smaller in tests. */
  msPerSecond?: number;
  /** MQTT keepalive in seconds (the broker fires the last will after 1.5 × this with no traffic). */
  keepaliveSeconds?: number;
  backoff?: { initialMs: number; maxMs: number };
  firmwareVersion?: string;
  random?: () => number;
}

export type Fault =
  /** Vanish without a DISCONNECT (power cut): the broker publishes the last will. */
  | { kind: 'drop'; forMs?: number }
  /** Stay connected but stop status and heartbeats (hung firmware with a live TCP stack). */
  | { kind: 'silent' }
  /** Publish the malformed-message corpus on its own topics. */
  | { kind: 'garbage'; count?: number }
  /** Receive commands and never acknowledge (nor obey) them. */
  | { kind: 'no_ack' };

export interface DeviceSnapshot {
  serial: string;
  connected: boolean;
  outputs: Outputs;
  readings: Readings;
  updateInterval: number;
  commandsApplied: number;
  acksSent: number;
  connects: number;
  faults: string[];
}

export interface SimulatedDevice {
  device: FlashConfig;
  state(): DeviceSnapshot;
  injectFault(fault: Fault): Promise<void>;
  recover(): void;
  /** A local change (someone pressed the button on the board): new outputs, reported at once. */
  setLocalOutputs(outputs: Outputs): Promise<void>;
  /**
   * The reset button held at power-up: outputs, interval and remembered commands back to factory values,
   * then the reset report (docs/DEVICE_PROTOCOL.md, "Reset") once connected, kept until the broker has it,
   * as the firmware keeps its NVS flag. Resolves with the report's reset_id once it is published.
   */
  factoryReset(): Promise<string>;
  /** Publishes a heartbeat and the status now (as on a timer tick). */
  report(): Promise<void>;
  /** Resolves once connected (bounded). */
  waitConnected(timeoutMs?: number): Promise<void>;
  events: EventEmitter;
  /** Graceful power-off: publishes offline status, then disconnects. */
  stop(options?: { graceful?: boolean }): Promise<void>;
}

const REMEMBERED_COMMANDS = 32;

export function startSimulatedDevice(flash: FlashConfig, options: SimulatorOptions = {}): SimulatedDevice {
  const serial = flash.serial_number;
  const type = flash.device_type;
  const url = options.brokerUrl ?? flash.broker_url;
  const msPerSecond = options.msPerSecond ?? 1000;
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
  const random = options.random ?? Math.random;
  const firmware = options.firmwareVersion ?? flash.firmware_version ?? '1.0.0';
  const events = new EventEmitter();
  const bootedAt = Date.now();

  let outputs = defaultOutputs(type);
  let readings = initialReadings(type, random);
  let updateInterval = flash.update_interval;
  let client: MqttClient | null = null;
  let connected = false;
  /** Connected, subscribed to control and first status published. */
  let ready = false;
  let stopped = false;
  let attempt = 0;
  let connects = 0;
  let commandsApplied = 0;
  let acksSent = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  const faults = new Set<Fault['kind']>();
  /** A factory reset not yet delivered to the broker (the firmware's NVS flag). */
  let pendingReset: { id: string; delivered: (id: string) => void } | null = null;
  const recentAcks = new Map<string, AckPayload>();

  const publish = (topic: string, body: object | string | Buffer, qos: 0 | 1, retain = false) =>
    new Promise<void>((resolve) => {
      if (!client || !connected) return resolve();
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : encodePayload(body);
      client.publish(topic, payload, { qos, retain }, () => resolve());
    });

  const rssi = () => -45 - Math.round(random() * 35);
  const statusPayload = (): StatusPayload => ({
    v: 1,
    online: true,
    ...(Object.keys(outputs).length ? { outputs } : {}),
    ...(Object.keys(readings).length ? { readings } : {}),
    firmware,
    rssi: rssi(),
    uptime_s: Math.floor((Date.now() - bootedAt) / 1000),
    update_interval: updateInterval,
  });
  const publishStatus = () => publish(topics.status(serial), statusPayload(), 1, true);
  const publishLog = (level: LogPayload['level'], message: string, fields?: LogPayload['fields']) =>
    publish(
      topics.logs(serial),
      { v: 1, level, message, ...(fields ? { fields } : {}) } satisfies LogPayload,
      0,
    );

  const reportReset = async () => {
    const pending = pendingReset;
    if (!pending || !client || !connected) return;
    const report: ResetPayload = { v: 1, kind: 'factory', reset_id: pending.id, firmware };
    const c = client;
    await new Promise<void>((resolve, reject) =>
      c.publish(topics.reset(serial), encodePayload(report), { qos: 1 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    ).then(
      () => {
        if (pendingReset !== pending) return;
        pendingReset = null;
        pending.delivered(pending.id);
      },
      () => undefined, // still pending: sent again after the next connect
    );
  };

  const tick = () => {
    if (faults.has('silent')) return;
    const heartbeat: HeartbeatPayload = {
      v: 1,
      uptime_s: Math.floor((Date.now() - bootedAt) / 1000),
      rssi: rssi(),
      free_heap: 150_000 + Math.round(random() * 20_000),
    };
    void publish(topics.heartbeat(serial), heartbeat, 0);
    if (type === 'Sensor') {
      readings = nextReadings(type, readings, random);
      void publishStatus();
    }
  };
  const restartTicks = () => {
    if (tickTimer) clearInterval(tickTimer);
    tickTimer = setInterval(tick, updateInterval * msPerSecond);
    tickTimer.unref?.();
  };

  const sendAck = async (ack: AckPayload) => {
    recentAcks.set(ack.id, ack);
    if (recentAcks.size > REMEMBERED_COMMANDS) recentAcks.delete(recentAcks.keys().next().value as string);
    acksSent++;
    await publish(topics.ack(serial), ack, 1);
  };

  const onControl = async (payload: Buffer) => {
    const decoded = decodePayload(controlPayloadSchema, payload);
    if (!decoded.ok) {
      const raw = decodeJson(payload);
      const id = raw.ok ? (raw.value as { id?: unknown } | null)?.id : undefined;
      simulatorLogs.commandRejected(serial, typeof id === 'string' ? id : undefined, decoded.error);
      await publishLog('warn', 'control payload rejected', { reason: decoded.error });
      if (typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        await sendAck({ v: 1, id, ok: false, error: { code: 'invalid_payload', message: decoded.error } });
      }
      return;
    }
    const control = decoded.value;
    events.emit('received', control.id);
    if (faults.has('no_ack')) return;
    const previous = recentAcks.get(control.id);
    if (previous) {
      // A QoS 1 redelivery: answer again, never obey twice.
      await publish(topics.ack(serial), previous, 1);
      return;
    }
    const parsed = parseCommand(type, control);
    if (!parsed.ok) {
      simulatorLogs.commandRejected(serial, control.id, parsed.error);
      await sendAck({
        v: 1,
        id: control.id,
        ok: false,
        error: { code: 'invalid_command', message: parsed.error },
      });
      return;
    }
    const { command, params, desiredOutputs } = parsed.value;
    outputs = { ...outputs, ...desiredOutputs };
    let result: Record<string, unknown> | undefined;
    if (command === 'set_interval') {
      updateInterval = params.seconds as number;
      restartTicks();
      result = { update_interval: updateInterval };
    } else if (command === 'read_now') {
      readings = nextReadings(type, readings, random);
      result = { readings };
    }
    commandsApplied++;
    simulatorLogs.commandApplied(serial, control.id, command);
    events.emit('command', { id: control.id, command, params });
    await sendAck({
      v: 1,
      id: control.id,
      ok: true,
      ...(result ? { result } : {}),
      state: { outputs, ...(Object.keys(readings).length ? { readings } : {}) },
    });
    await publishStatus();
  };

  const scheduleReconnect = (reason: string) => {
    if (stopped || faults.has('drop') || reconnectTimer) return;
    const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 16));
    const delay = Math.round(ceiling * (0.5 + random() * 0.5));
    attempt++;
    simulatorLogs.connectionLost(serial, delay, reason);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
    reconnectTimer.unref?.();
  };

  function connect() {
    if (stopped) return;
    const c = mqtt.connect(url, {
      clientId: serial,
      username: flash.username,
      password: flash.password,
      protocolVersion: 4,
      clean: true,
      keepalive: options.keepaliveSeconds ?? 60,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: {
        topic: topics.status(serial),
        payload: Buffer.from(encodePayload(LAST_WILL_PAYLOAD)),
        qos: 1,
        retain: true,
      },
    });
    client = c;
    let lastError = 'closed';
    c.on('connect', () => {
      connected = true;
      attempt = 0;
      connects++;
      simulatorLogs.connected(serial);
      c.subscribe(topics.control(serial), { qos: 1 }, () => {
        void publishStatus().then(() => {
          if (connects === 1) void publishLog('info', 'booted', { firmware, device_type: type });
          void reportReset();
          ready = true;
          events.emit('connected');
        });
      });
      restartTicks();
    });
    c.on('message', (topic, payload) => {
      if (topic === topics.control(serial)) void onControl(payload);
    });
    c.on('error', (error) => {
      lastError = error.message;
    });
    c.on('close', () => {
      if (client !== c) return;
      const was = connected;
      connected = false;
      ready = false;
      if (tickTimer) clearInterval(tickTimer);
      tickTimer = null;
      if (was) events.emit('disconnected');
      scheduleReconnect(lastError);
    });
  }

  connect();

  return {
    device: flash,
    events,
    state: () => ({
      serial,
      connected: ready,
      outputs: { ...outputs },
      readings: { ...readings },
      updateInterval,
      commandsApplied,
      acksSent,
      connects,
      faults: [...faults],
    }),
    async injectFault(fault) {
      if (fault.kind === 'garbage') {
        const corpus = malformedMessages(serial);
        for (const message of corpus.slice(0, fault.count ?? corpus.length)) {
          await publish(message.topic, message.payload, 1);
        }
        return;
      }
      faults.add(fault.kind);
      if (fault.kind === 'drop') {
        const c = client;
        client = null;
        connected = false;
        ready = false;
        if (tickTimer) clearInterval(tickTimer);
        tickTimer = null;
        // Destroy the socket without DISCONNECT, as a power cut would.
        c?.stream?.destroy();
        c?.end(true);
        events.emit('disconnected');
        if (fault.forMs !== undefined) {
          const t = setTimeout(() => this.recover(), fault.forMs);
          t.unref?.();
        }
      }
    },
    factoryReset() {
      outputs = defaultOutputs(type);
      readings = initialReadings(type, random);
      updateInterval = flash.update_interval;
      recentAcks.clear();
      const id = `reset_${Date.now().toString(36)}_${Math.floor(random() * 2 ** 32).toString(36)}`;
      const delivered = new Promise<string>((resolve) => {
        pendingReset = { id, delivered: resolve };
      });
      simulatorLogs.factoryReset(serial);
      void reportReset().then(() => (connected ? publishStatus() : undefined));
      if (connected) restartTicks();
      return delivered;
    },
    async setLocalOutputs(next) {
      outputs = { ...outputs, ...next };
      await publishStatus();
    },
    async report() {
      await publish(
        topics.heartbeat(serial),
        { v: 1, uptime_s: Math.floor((Date.now() - bootedAt) / 1000) },
        0,
      );
      await publishStatus();
    },
    recover() {
      const wasDropped = faults.has('drop');
      faults.clear();
      if (wasDropped && !stopped) connect();
    },
    waitConnected(timeoutMs = 10_000) {
      if (ready) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${serial} did not connect in ${timeoutMs} ms`)),
          timeoutMs,
        );
        events.once('connected', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async stop({ graceful = true } = {}) {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (tickTimer) clearInterval(tickTimer);
      const c = client;
      if (graceful && c && connected) await publish(topics.status(serial), LAST_WILL_PAYLOAD, 1, true);
      connected = false;
      client = null;
      if (c) await c.endAsync(!graceful).catch(() => undefined);
    },
  };
}
