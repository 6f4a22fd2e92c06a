import {
  defaultOutputs,
  type FlashConfig,
  type HeartbeatPayload,
  type Outputs,
  type Readings,
  type StatusPayload,
} from '@esp32cloud/protocol';
import { initialReadings, nextReadings } from '../readings.ts';

// What the board holds in RAM: its outputs, its latest readings, its update interval and the counters a test
// reads back. Every payload describing the device is built here, so status, heartbeat and ack agree.

export class DeviceState {
  readonly serial: string;
  readonly type: FlashConfig['device_type'];
  outputs: Outputs;
  readings: Readings;
  updateInterval: number;
  commandsApplied = 0;
  acksSent = 0;
  /** Readings a test holds fixed (a freezer warming up); samples report them until released. */
  pinnedReadings: Readings | null = null;
  private readonly bootedAt = Date.now();

  constructor(
    flash: FlashConfig,
    readonly firmware: string,
    private readonly random: () => number,
  ) {
    this.serial = flash.serial_number;
    this.type = flash.device_type;
    this.outputs = defaultOutputs(this.type);
    this.readings = initialReadings(this.type, random);
    this.updateInterval = flash.update_interval;
  }

  /** Factory values again (the button reset): outputs, readings and the flashed update interval. */
  reset(flash: FlashConfig): void {
    this.outputs = defaultOutputs(this.type);
    this.readings = initialReadings(this.type, this.random);
    this.updateInterval = flash.update_interval;
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.bootedAt) / 1000);
  }

  /** A fresh sensor sample (a slow random walk); devices without readings keep none. */
  sample(): Readings {
    this.readings = this.pinnedReadings ?? nextReadings(this.type, this.readings, this.random);
    return this.readings;
  }

  hasReadings(): boolean {
    return Object.keys(this.readings).length > 0;
  }

  status(): StatusPayload {
    return {
      v: 1,
      online: true,
      ...(Object.keys(this.outputs).length ? { outputs: this.outputs } : {}),
      ...(this.hasReadings() ? { readings: this.readings } : {}),
      firmware: this.firmware,
      rssi: this.rssi(),
      uptime_s: this.uptimeSeconds(),
      update_interval: this.updateInterval,
    };
  }

  heartbeat(): HeartbeatPayload {
    return {
      v: 1,
      uptime_s: this.uptimeSeconds(),
      rssi: this.rssi(),
      free_heap: 150_000 + Math.round(this.random() * 20_000),
    };
  }

  private rssi(): number {
    return -45 - Math.round(this.random() * 35);
  }
}
