import { type LogPayload, topics } from '@esp32cloud/protocol';
import type { Publish } from './connection.ts';
import type { DeviceState } from './state.ts';

// What the device says on its own: the retained status, a heartbeat every update interval (a sensor also takes
// and reports a fresh sample then), and log lines. A "silent" fault mutes the timer, not explicit reports.

export class Reporter {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: DeviceState,
    private readonly publish: Publish,
    private readonly msPerSecond: number,
    private readonly muted: () => boolean,
  ) {}

  status(): Promise<void> {
    return this.publish(topics.status(this.state.serial), this.state.status(), 1, true);
  }

  log(level: LogPayload['level'], message: string, fields?: LogPayload['fields']): Promise<void> {
    const payload: LogPayload = { v: 1, level, message, ...(fields ? { fields } : {}) };
    return this.publish(topics.logs(this.state.serial), payload, 0);
  }

  /** A heartbeat and the status now, as on a timer tick but never muted. */
  async now(): Promise<void> {
    await this.publish(
      topics.heartbeat(this.state.serial),
      { v: 1, uptime_s: this.state.uptimeSeconds() },
      0,
    );
    await this.status();
  }

  /** (Re)starts the timer at the current update interval. */
  start(): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), this.state.updateInterval * this.msPerSecond);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.muted()) return;
    void this.publish(topics.heartbeat(this.state.serial), this.state.heartbeat(), 0);
    if (this.state.type === 'Sensor') {
      this.state.sample();
      void this.status();
    }
  }
}
