import type { DocumentData, Firestore } from 'firebase-admin/firestore';
import { withRetry } from './retry.ts';

// Device-document updates from many devices go to Firestore together: one batched commit carries up to
// `maxBatch` of them, so thousands of state changes a second need a few commits, not thousands of round trips
// (group commit: batches form while earlier commits are in flight, so a lone update is never delayed).
// Order and last-write-wins hold per document: a document never sits in two commits at once (a later update
// of a document waits for the commit carrying its earlier one, keeping its place in line), so the later
// write always lands last. At most `maxInFlight` commits run at once; callers beyond `maxPending` waiting
// updates wait themselves (back-pressure into the per-device queues, and from there into the MQTT socket).
// A commit that fails for one document (e.g. deleted meanwhile) is retried document by document, so one bad
// document costs only its own update.

interface PendingUpdate {
  path: string;
  fields: DocumentData;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface WriteBatcherOptions {
  maxBatch?: number;
  maxInFlight?: number;
  maxPending?: number;
}

export class WriteBatcher {
  private pending: PendingUpdate[] = [];
  private readonly committing = new Set<string>();
  private inFlight = 0;
  private readonly roomWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  commits = 0;

  constructor(
    private readonly db: Firestore,
    options: WriteBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxPending = options.maxPending ?? 5000;
  }

  /** Resolves once the update is committed; rejects with its own error only. */
  async update(path: string, fields: DocumentData): Promise<void> {
    while (this.pending.length >= this.maxPending) await new Promise<void>((r) => this.roomWaiters.push(r));
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ path, fields, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // Group commit: with a commit slot free an update goes out at once (a lone write waits for nothing);
    // while every slot is busy, updates gather and the next free slot takes them together.
    if (this.inFlight < this.maxInFlight) this.flush();
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch: PendingUpdate[] = [];
      const paths = new Set<string>();
      const waiting: PendingUpdate[] = [];
      for (const update of this.pending) {
        const busy = this.committing.has(update.path) || paths.has(update.path);
        if (busy || batch.length >= this.maxBatch) waiting.push(update);
        else {
          batch.push(update);
          paths.add(update.path);
        }
      }
      if (batch.length === 0) return; // each waiting document has a commit in flight; its end flushes again
      this.pending = waiting;
      for (const path of paths) this.committing.add(path);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        for (const path of paths) this.committing.delete(path);
        this.inFlight--;
        this.wakeWaiters();
        this.flush();
      });
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    while (this.roomWaiters.length > 0 && this.pending.length < this.maxPending) this.roomWaiters.shift()?.();
  }

  private async commit(batch: PendingUpdate[]): Promise<void> {
    this.commits++;
    try {
      await withRetry(() => {
        const writes = this.db.batch();
        for (const update of batch) writes.update(this.db.doc(update.path), update.fields);
        return writes.commit();
      });
      for (const update of batch) update.resolve();
    } catch {
      // One by one: each update gets its own outcome (a deleted document fails alone).
      await Promise.all(
        batch.map((update) =>
          withRetry(() => this.db.doc(update.path).update(update.fields)).then(update.resolve, update.reject),
        ),
      );
    }
  }
}
