import { EventEmitter } from 'node:events';
import type { FlashConfig, Outputs, Readings } from '@esp32cloud/protocol';
import { CommandHandler } from './device/commands.ts';
import { DeviceConnection } from './device/connection.ts';
import { FactoryReset } from './device/factory-reset.ts';
import { type Fault, Faults } from './device/faults.ts';
import { Reporter } from './device/reporting.ts';
import { DeviceState } from './device/state.ts';

// One virtual ESP32, the reference implementation of docs/DEVICE_PROTOCOL.md: it connects with its own
// credentials and last will, publishes retained status and periodic heartbeats, obeys and acknowledges
// control commands, reconnects with capped exponential backoff, and can be told to misbehave. This file only
// wires its parts together (device/): state, connection, reporting, command handling and faults.

export type { Fault } from './device/faults.ts';

export interface SimulatorOptions {
  /** Override the flashed broker URL (e.g. a test broker on a free port). */
  brokerUrl?: string;
  /** CA certificate (PEM) trusted for an mqtts:// broker, as the firmware's built-in CA bundle. */
  ca?: string;
  /** Milliseconds per protocol second; 1000 in real time, smaller in tests. */
  msPerSecond?: number;
  /** MQTT keepalive in seconds (the broker fires the last will after 1.5 × this with no traffic). */
  keepaliveSeconds?: number;
  backoff?: { initialMs: number; maxMs: number };
  firmwareVersion?: string;
  random?: () => number;
}

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
   * The reset button held at power-up: outputs, interval and remembered commands back to factory values, then
   * the reset report (docs/DEVICE_PROTOCOL.md, "Reset"), kept until the broker has it. Resolves with the
   * report's reset_id once delivered.
   */
  factoryReset(): Promise<string>;
  /** Publishes a heartbeat and the status now (as on a timer tick). */
  report(): Promise<void>;
  /**
   * Pins sensor readings (a freezer warming up, in a test) and reports them at once; later samples report the
   * pinned values until `releaseReadings`.
   */
  setReadings(readings: Readings): Promise<void>;
  releaseReadings(): void;
  /** Resolves once connected (bounded). */
  waitConnected(timeoutMs?: number): Promise<void>;
  events: EventEmitter;
  /** Graceful power-off: publishes offline status, then disconnects. */
  stop(options?: { graceful?: boolean }): Promise<void>;
}

export function startSimulatedDevice(flash: FlashConfig, options: SimulatorOptions = {}): SimulatedDevice {
  const serial = flash.serial_number;
  const random = options.random ?? Math.random;
  const events = new EventEmitter();
  const state = new DeviceState(flash, options.firmwareVersion ?? flash.firmware_version ?? '1.0.0', random);
  /** Connected, subscribed to control and first status published. */
  let ready = false;
  let stopped = false;

  const goneOffline = () => {
    ready = false;
    reporter.stop();
    events.emit('disconnected');
  };
  const connection = new DeviceConnection(
    flash,
    {
      url: options.brokerUrl ?? flash.broker_url,
      ...(options.ca ? { ca: options.ca } : {}),
      keepaliveSeconds: options.keepaliveSeconds ?? 60,
      backoff: options.backoff ?? { initialMs: 1000, maxMs: 8000 },
      random,
    },
    {
      online(connects) {
        reporter.start();
        void reporter.status().then(() => {
          if (connects === 1)
            void reporter.log('info', 'booted', { firmware: state.firmware, device_type: state.type });
          void reset.deliver();
          ready = true;
          events.emit('connected');
        });
      },
      control: (payload) => void commands.handle(payload),
      lost: goneOffline,
    },
  );
  const faults = new Faults(serial, connection.publish, {
    cut() {
      connection.cut();
      goneOffline();
    },
    restore() {
      if (!stopped) connection.open();
    },
  });
  const reporter = new Reporter(state, connection.publish, options.msPerSecond ?? 1000, () =>
    faults.has('silent'),
  );
  const commands = new CommandHandler(state, connection.publish, reporter, {
    received: (id) => events.emit('received', id),
    applied: (command) => events.emit('command', command),
    ignoring: () => faults.has('no_ack'),
  });

  const reset = new FactoryReset(serial, state.firmware, random, (topic, body) =>
    connection.publishAcknowledged(topic, body),
  );

  connection.open();

  return {
    device: flash,
    events,
    state: () => ({
      serial,
      connected: ready,
      outputs: { ...state.outputs },
      readings: { ...state.readings },
      updateInterval: state.updateInterval,
      commandsApplied: state.commandsApplied,
      acksSent: state.acksSent,
      connects: connection.connects,
      faults: faults.list(),
    }),
    injectFault: (fault) => faults.inject(fault),
    recover: () => faults.recover(),
    async setLocalOutputs(next) {
      state.outputs = { ...state.outputs, ...next };
      await reporter.status();
    },
    report: () => reporter.now(),
    async setReadings(next) {
      state.pinnedReadings = { ...state.readings, ...next };
      state.readings = state.pinnedReadings;
      await reporter.status();
    },
    releaseReadings() {
      state.pinnedReadings = null;
    },
    factoryReset() {
      state.reset(flash);
      commands.forget();
      const delivered = reset.press();
      void reset.deliver().then(() => (connection.isConnected ? reporter.status() : undefined));
      if (connection.isConnected) reporter.start();
      return delivered;
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
      ready = false;
      reporter.stop();
      await connection.stop(graceful);
    },
  };
}
