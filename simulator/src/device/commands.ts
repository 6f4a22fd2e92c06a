import {
  type AckPayload,
  controlPayloadSchema,
  decodeJson,
  decodePayload,
  parseCommand,
  topics,
} from '@esp32cloud/protocol';
import { simulatorLogs } from '../logs.ts';
import type { Publish } from './connection.ts';
import type { Reporter } from './reporting.ts';
import type { DeviceState } from './state.ts';

// Control messages in, acknowledgements out: validate the payload, obey a command exactly once (a QoS 1
// redelivery of a remembered id is answered again, not obeyed again), acknowledge with the resulting state.

const REMEMBERED_COMMANDS = 32;
const ACKABLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface CommandHooks {
  /** A well-formed control message arrived (before any fault decides what happens to it). */
  received(id: string): void;
  /** A command was obeyed. */
  applied(command: { id: string; command: string; params: Record<string, unknown> }): void;
  /** True while the no_ack fault holds: receive, never obey nor answer. */
  ignoring(): boolean;
}

export class CommandHandler {
  private readonly recentAcks = new Map<string, AckPayload>();

  constructor(
    private readonly state: DeviceState,
    private readonly publish: Publish,
    private readonly reporter: Reporter,
    private readonly hooks: CommandHooks,
  ) {}

  /** A factory reset forgets the command ids it remembered. */
  forget(): void {
    this.recentAcks.clear();
  }

  async handle(payload: Buffer): Promise<void> {
    const serial = this.state.serial;
    const decoded = decodePayload(controlPayloadSchema, payload);
    if (!decoded.ok) return this.rejectPayload(payload, decoded.error);
    const control = decoded.value;
    this.hooks.received(control.id);
    if (this.hooks.ignoring()) return;
    const previous = this.recentAcks.get(control.id);
    if (previous) {
      await this.publish(topics.ack(serial), previous, 1);
      return;
    }
    const parsed = parseCommand(this.state.type, control);
    if (!parsed.ok) {
      simulatorLogs.commandRejected(serial, control.id, parsed.error);
      await this.ack({
        v: 1,
        id: control.id,
        ok: false,
        error: { code: 'invalid_command', message: parsed.error },
      });
      return;
    }
    const { command, params, desiredOutputs } = parsed.value;
    const state = this.state;
    state.outputs = { ...state.outputs, ...desiredOutputs };
    let result: Record<string, unknown> | undefined;
    if (command === 'set_interval') {
      state.updateInterval = params.seconds as number;
      this.reporter.start();
      result = { update_interval: state.updateInterval };
    } else if (command === 'read_now') {
      result = { readings: state.sample() };
    }
    state.commandsApplied++;
    simulatorLogs.commandApplied(serial, control.id, command);
    this.hooks.applied({ id: control.id, command, params });
    await this.ack({
      v: 1,
      id: control.id,
      ok: true,
      ...(result ? { result } : {}),
      state: { outputs: state.outputs, ...(state.hasReadings() ? { readings: state.readings } : {}) },
    });
    await this.reporter.status();
  }

  /** Not a control payload at all: logged, and answered only when it carries an id the sender can match. */
  private async rejectPayload(payload: Buffer, reason: string): Promise<void> {
    const raw = decodeJson(payload);
    const id = raw.ok ? (raw.value as { id?: unknown } | null)?.id : undefined;
    simulatorLogs.commandRejected(this.state.serial, typeof id === 'string' ? id : undefined, reason);
    await this.reporter.log('warn', 'control payload rejected', { reason });
    if (typeof id === 'string' && ACKABLE_ID.test(id)) {
      await this.ack({ v: 1, id, ok: false, error: { code: 'invalid_payload', message: reason } });
    }
  }

  private async ack(ack: AckPayload): Promise<void> {
    this.recentAcks.set(ack.id, ack);
    if (this.recentAcks.size > REMEMBERED_COMMANDS) {
      this.recentAcks.delete(this.recentAcks.keys().next().value as string);
    }
    this.state.acksSent++;
    await this.publish(topics.ack(this.state.serial), ack, 1);
  }
}
