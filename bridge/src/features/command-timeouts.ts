import { firestorePaths } from '@esp32cloud/protocol';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { expire } from './stale-commands.ts';

// A command nobody answers must not leave the dashboard "switching…" forever. The bridge reads the control
// topic (it never publishes there), starts a timer per command id, stops it on the ack, and on expiry marks
// the command timed out under the command lifecycle's rules (only if still queued or sent), so an ack
// handled by another bridge instance always wins.

export class CommandTimeouts {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire: (serial: string, commandId: string) => void,
  ) {}

  sent(serial: string, commandId: string): void {
    const key = `${serial}/${commandId}`;
    if (this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.onExpire(serial, commandId);
    }, this.timeoutMs);
    timer.unref?.();
    this.timers.set(key, timer);
  }

  answered(serial: string, commandId: string): void {
    const key = `${serial}/${commandId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export function commandTimeouts(ctx: BridgeContext): BridgeFeature {
  const timeouts = new CommandTimeouts(ctx.config.commandTimeoutMs, (serial, commandId) =>
    ctx.enqueue(serial, () => expireCommand(ctx, serial, commandId)),
  );
  ctx.events.on('commandSent', (serial, commandId) => timeouts.sent(serial, commandId));
  ctx.events.on('commandAnswered', (serial, commandId) => timeouts.answered(serial, commandId));
  return { stop: () => timeouts.clear() };
}

export async function expireCommand(ctx: BridgeContext, serial: string, commandId: string): Promise<void> {
  const entry = await ctx.directory.lookup(serial, ctx.now());
  if (!entry) return;
  await expire(ctx, ctx.db.doc(firestorePaths.command(entry.deviceId, commandId)));
}
