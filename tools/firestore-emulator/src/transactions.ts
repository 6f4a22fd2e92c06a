import { randomBytes } from 'node:crypto';
import { Code, RpcError } from './errors.ts';
import { currentMicros, timestampToMicros } from './time.ts';
import type { Timestamp } from './types.ts';

// Transactions. Read-write transactions take an exclusive lock on every document they read or write
// (pessimistic, like the real emulator), so concurrent read-modify-write transactions queue instead of
// failing. Deadlocks are prevented with wound-wait: an older transaction that needs a lock held by a younger
// one aborts the younger (ABORTED, the SDK retries it, keeping its age through retry_transaction); a younger
// one waits. Each transaction also remembers the version of what it read, so a non-transactional write in
// between makes its commit ABORTED. Abandoned transactions expire after an idle timeout.

export const EXPIRED_MESSAGE = 'The referenced transaction has expired or is no longer valid.';

interface LockWaiter {
  txn: Transaction;
  resolve: () => void;
  reject: (error: RpcError) => void;
}

interface Lock {
  holder: Transaction;
  waiters: LockWaiter[];
}

export class Transaction {
  readonly locks = new Set<string>();
  /** document key → version (update micros, 0 when absent) at first read. */
  readonly readVersions = new Map<string, bigint>();
  lastUsed = Date.now();
  abortReason: string | null = null;
  waiting: LockWaiter | null = null;

  constructor(
    readonly id: Buffer,
    readonly database: string,
    readonly readOnly: boolean,
    /** Read time of read-only transactions (micros). */
    readonly readMicros: bigint | null,
    /** Lower is older; kept across retries. */
    readonly age: number,
  ) {}
}

export class TransactionManager {
  private readonly transactions = new Map<string, Transaction>();
  private readonly locks = new Map<string, Lock>();
  private nextAge = 1;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly idleTimeoutMs: number) {
    this.sweeper = setInterval(() => this.expireIdle(), Math.max(50, Math.min(1000, idleTimeoutMs / 2)));
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const txn of [...this.transactions.values()]) this.abort(txn, 'The emulator is shutting down.');
  }

  begin(database: string, readOnly: boolean, readMicros: bigint | null, retryOf?: Uint8Array): Transaction {
    const previous = retryOf ? this.transactions.get(Buffer.from(retryOf).toString('hex')) : undefined;
    const age =
      previous?.age ?? this.retiredAges.get(Buffer.from(retryOf ?? []).toString('hex')) ?? this.nextAge++;
    if (previous) this.finish(previous);
    const txn = new Transaction(randomBytes(16), database, readOnly, readMicros, age);
    this.transactions.set(txn.id.toString('hex'), txn);
    return txn;
  }

  /** Begins a transaction from TransactionOptions (read-only at an optional read time, or read-write). */
  beginFromOptions(
    database: string,
    options:
      | { readOnly?: { readTime?: Timestamp }; readWrite?: { retryTransaction?: Uint8Array } }
      | undefined,
  ): Transaction {
    if (options?.readOnly) {
      const readMicros = options.readOnly.readTime
        ? timestampToMicros(options.readOnly.readTime)
        : currentMicros();
      return this.begin(database, true, readMicros);
    }
    return this.begin(database, false, null, options?.readWrite?.retryTransaction);
  }

  /** Ages of finished transactions, so a retry (retry_transaction) keeps its place; bounded. */
  private readonly retiredAges = new Map<string, number>();

  get(id: Uint8Array, database: string): Transaction {
    const txn = this.transactions.get(Buffer.from(id).toString('hex'));
    if (!txn || txn.database !== database) throw new RpcError(Code.INVALID_ARGUMENT, EXPIRED_MESSAGE);
    if (txn.abortReason) {
      const reason = txn.abortReason;
      this.finish(txn);
      throw new RpcError(Code.ABORTED, reason);
    }
    txn.lastUsed = Date.now();
    return txn;
  }

  /** Takes the exclusive lock on a document key for a read-write transaction (may wait). */
  async lock(txn: Transaction, key: string): Promise<void> {
    if (txn.readOnly || txn.locks.has(key)) return;
    for (;;) {
      if (txn.abortReason) throw new RpcError(Code.ABORTED, txn.abortReason);
      const lock = this.locks.get(key);
      if (!lock) {
        this.locks.set(key, { holder: txn, waiters: [] });
        txn.locks.add(key);
        return;
      }
      if (txn.age < lock.holder.age) {
        // Wound: the younger holder gives way.
        this.abort(
          lock.holder,
          'Transaction was aborted because an older transaction needed its lock (contention).',
        );
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: LockWaiter = { txn, resolve, reject };
        txn.waiting = waiter;
        lock.waiters.push(waiter);
      });
      txn.waiting = null;
      txn.lastUsed = Date.now();
    }
  }

  recordRead(txn: Transaction, key: string, version: bigint): void {
    if (!txn.readVersions.has(key)) txn.readVersions.set(key, version);
  }

  /** Ends a transaction (commit or rollback) and releases its locks. */
  finish(txn: Transaction): void {
    const hex = txn.id.toString('hex');
    if (!this.transactions.delete(hex)) return;
    this.retiredAges.set(hex, txn.age);
    if (this.retiredAges.size > 10_000) {
      const oldest = this.retiredAges.keys().next().value;
      if (oldest !== undefined) this.retiredAges.delete(oldest);
    }
    if (txn.waiting) {
      const waiter = txn.waiting;
      txn.waiting = null;
      for (const lock of this.locks.values()) {
        const index = lock.waiters.indexOf(waiter);
        if (index >= 0) lock.waiters.splice(index, 1);
      }
      waiter.reject(new RpcError(Code.ABORTED, txn.abortReason ?? EXPIRED_MESSAGE));
    }
    for (const key of txn.locks) this.release(key, txn);
    txn.locks.clear();
  }

  private release(key: string, txn: Transaction): void {
    const lock = this.locks.get(key);
    if (!lock || lock.holder !== txn) return;
    this.locks.delete(key);
    // Wake every waiter; they race for the lock again and the oldest-first order is kept by wound-wait.
    lock.waiters.sort((a, b) => a.txn.age - b.txn.age);
    for (const waiter of lock.waiters) waiter.resolve();
  }

  private abort(txn: Transaction, reason: string): void {
    txn.abortReason = reason;
    const waiter = txn.waiting;
    if (waiter) {
      txn.waiting = null;
      for (const lock of this.locks.values()) {
        const index = lock.waiters.indexOf(waiter);
        if (index >= 0) lock.waiters.splice(index, 1);
      }
      waiter.reject(new RpcError(Code.ABORTED, reason));
    }
    // Keep the record (so the next call reports ABORTED) but free its locks now.
    for (const key of txn.locks) this.release(key, txn);
    txn.locks.clear();
  }

  private expireIdle(): void {
    const horizon = Date.now() - this.idleTimeoutMs;
    for (const txn of [...this.transactions.values()]) {
      if (txn.lastUsed < horizon && !txn.waiting) {
        this.abort(txn, EXPIRED_MESSAGE);
        this.finish(txn);
      } else if (txn.abortReason && txn.lastUsed < horizon) {
        this.finish(txn);
      }
    }
  }

  get activeCount(): number {
    return this.transactions.size;
  }
}
