import { type ResetPayload, topics } from '@esp32cloud/protocol';
import { simulatorLogs } from '../logs.ts';

// The button held at power-up (docs/DEVICE_PROTOCOL.md, "Reset"): the board returns to factory values at
// once, and keeps a reset flag (the firmware's NVS flag) with a new reset_id until the broker has
// acknowledged the report on devices/{serial}/reset, sent after every connect while the flag is set.

export class FactoryReset {
  private pending: { id: string; delivered: (id: string) => void } | null = null;

  constructor(
    private readonly serial: string,
    private readonly firmware: string,
    private readonly random: () => number,
    private readonly publishAcknowledged: (topic: string, body: object) => Promise<boolean>,
  ) {}

  /** Sets the flag; resolves with the reset_id once the report is delivered. */
  press(): Promise<string> {
    const id = `reset_${Date.now().toString(36)}_${Math.floor(this.random() * 2 ** 32).toString(36)}`;
    simulatorLogs.factoryReset(this.serial);
    return new Promise<string>((resolve) => {
      this.pending = { id, delivered: resolve };
    });
  }

  /** Sends the report if the flag is set; called on every connect and right after press(). */
  async deliver(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    const report: ResetPayload = { v: 1, kind: 'factory', reset_id: pending.id, firmware: this.firmware };
    if (!(await this.publishAcknowledged(topics.reset(this.serial), report))) return;
    if (this.pending !== pending) return;
    this.pending = null;
    pending.delivered(pending.id);
  }
}
