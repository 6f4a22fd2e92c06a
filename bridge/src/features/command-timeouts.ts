import { Timestamp } from 'firebase-admin/firestore';
import type { IngestContext } from '../ingest.ts';
import { bridgeLogs } from '../logs.ts';
import { withRetry } from '../retry.ts';

// A command nobody answers must not leave the dashboard "switching…" forever. The bridge reads the control
// topic (it never publishes there), starts a timer per command id, stops it on the ack, and on expiry marks
// the command failed with code "timeout" — only if it is still queued or sent, so an ack handled by another
// bridge instance always wins.

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

export async function expireCommand(ctx: IngestContext, serial: string, commandId: string): Promise<void> {
  const entry = await ctx.directory.lookup(serial, ctx.now());
  if (!entry) return;
  const ref = ctx.db.doc(`devices/${entry.deviceId}/commands/${commandId}`);
  const expired = await withRetry(() =>
    ctx.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const status = snap.get('status');
      if (!snap.exists || (status !== 'queued' && status !== 'sent')) return false;
      tx.update(ref, {
        status: 'failed',
        error: {
          code: 'timeout',
          message: `The device did not answer within ${Math.round(ctx.config.commandTimeoutMs / 1000)} s.`,
        },
        failed_at: Timestamp.fromMillis(ctx.now()),
      });
      return true;
    }),
  );
  if (expired) {
    ctx.stats.writes++;
    ctx.stats.timeouts++;
    bridgeLogs.commandTimedOut(entry.deviceId, commandId);
  }
}
