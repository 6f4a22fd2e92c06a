import { commandUpdates, DEVICE_SUBCOLLECTIONS, mayApply } from '@esp32cloud/protocol';
import { type DocumentReference, Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { bridgeLogs } from '../logs.ts';
import { withRetry } from '../retry.ts';

// Command timeouts (command-timeouts.ts) live in a bridge's memory: a bridge killed or restarted while a
// command waited for its ack forgets it, and a command published while no bridge was listening may never be
// seen. So every bridge also sweeps Firestore, at start and then periodically, for commands still queued or
// sent past the timeout, and ends them timed out under the same lifecycle rule (an ack that lands first
// wins). No command stays "sent" for good. Needs the collection-group index on commands.status
// (firestore.indexes.json).

const PENDING = ['queued', 'sent'] as const;

export function staleCommands(ctx: BridgeContext): BridgeFeature {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const everyMs = Math.max(5000, Math.round(ctx.config.commandTimeoutMs / 2));
  const sweep = () => {
    running ??= sweepOnce(ctx)
      .then(() => undefined)
      .catch((error) => bridgeLogs.sweepFailed(error))
      .finally(() => {
        running = null;
      });
    return running;
  };
  return {
    start() {
      void sweep();
      timer = setInterval(() => void sweep(), everyMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    flush: async () => {
      await running;
    },
  };
}

export async function sweepOnce(ctx: BridgeContext): Promise<number> {
  const cutoff = ctx.now() - ctx.config.commandTimeoutMs;
  const pending = await withRetry(() =>
    ctx.db
      .collectionGroup(DEVICE_SUBCOLLECTIONS.commands)
      .where('status', 'in', [...PENDING])
      .get(),
  );
  let expired = 0;
  for (const doc of pending.docs) {
    const since = (doc.get('sent_at') ?? doc.get('created_at')) as Timestamp | undefined;
    if (!since || since.toMillis() > cutoff) continue;
    if (await expire(ctx, doc.ref)) expired++;
  }
  return expired;
}

/** Marks one command timed out, unless it was answered (or ended) meanwhile. */
export async function expire(ctx: BridgeContext, ref: DocumentReference): Promise<boolean> {
  const done = await withRetry(() =>
    ctx.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists || !mayApply('timeout', snap.get('status'))) return false;
      tx.update(ref, commandUpdates.timeout(ctx.config.commandTimeoutMs, Timestamp.fromMillis(ctx.now())));
      return true;
    }),
  );
  if (done) {
    ctx.stats.writes++;
    ctx.stats.timeouts++;
    bridgeLogs.commandTimedOut(ref.parent.parent?.id ?? '', ref.id);
  }
  return done;
}
