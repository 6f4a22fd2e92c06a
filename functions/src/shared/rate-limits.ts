import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { refs } from './documents.ts';

// Fixed-window counters in rate_limits/{key} (unreadable by clients). A window's document carries its start
// and expires_at, so a Firestore TTL policy on expires_at cleans old ones up in production.

export interface Window {
  limit: number;
  windowSeconds: number;
}

interface CounterDoc {
  count: number;
  window_start: Timestamp;
  expires_at: Timestamp;
}

/** Firestore ids may not contain '/', and IPv6 has ':' — keep keys to a safe alphabet. */
export function rateLimitKey(kind: string, subject: string): string {
  return `${kind}:${subject.replace(/[^A-Za-z0-9_.:@-]/g, '_')}`.slice(0, 500);
}

function currentCount(doc: CounterDoc | undefined, nowMs: number, window: Window): number {
  if (!doc) return 0;
  return nowMs - doc.window_start.toMillis() < window.windowSeconds * 1000 ? doc.count : 0;
}

/** Counts one event; false (and nothing counted) when the window's limit is already reached. */
export function consume(db: Firestore, key: string, window: Window): Promise<boolean> {
  return count(db, key, window, true);
}

/** Whether the key has reached its limit in the current window (reads only). */
export async function exhausted(db: Firestore, key: string, window: Window): Promise<boolean> {
  const snap = await refs(db).rateLimit(key).get();
  return currentCount(snap.data() as CounterDoc | undefined, Date.now(), window) >= window.limit;
}

/** Counts one event whatever the limit (failed claim attempts are always recorded). */
export async function record(db: Firestore, key: string, window: Window): Promise<void> {
  await count(db, key, window, false);
}

/** Adds one event to the key's current window, in a transaction; with `enforce`, not past the limit. */
function count(db: Firestore, key: string, window: Window, enforce: boolean): Promise<boolean> {
  const ref = refs(db).rateLimit(key);
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const nowMs = Date.now();
    const doc = snap.exists ? (snap.data() as CounterDoc) : undefined;
    const current = currentCount(doc, nowMs, window);
    if (enforce && current >= window.limit) return false;
    const windowStart = current === 0 ? Timestamp.fromMillis(nowMs) : doc!.window_start;
    tx.set(ref, {
      count: current + 1,
      window_start: windowStart,
      expires_at: Timestamp.fromMillis(windowStart.toMillis() + window.windowSeconds * 1000),
    } satisfies CounterDoc);
    return true;
  });
}

/** One counter of a reservation; `gate` decides from every counter's current count whether to refuse. */
export interface Reservation {
  key: string;
  window: Window;
}

export interface ReserveResult {
  ok: boolean;
  /** When refused: seconds until the refusing window ends (for Retry-After). */
  retryAfterSeconds: number;
  /** Window starts the attempt was counted in, for refund(). */
  counted: Array<{ key: string; windowStartMs: number }>;
}

/**
 * Count first, then check: in one transaction, reads every counter, asks `refuse` (with the current counts,
 * before this attempt) whether to refuse, and if not counts the attempt in all of them. Concurrent attempts
 * queue on the counters' locks, so a burst can never get more answers than the limits allow.
 * `refuse` returns the keys that refuse (their windows give Retry-After); empty lets the attempt through.
 */
export function reserve(
  db: Firestore,
  reservations: Reservation[],
  refuse: (counts: number[]) => number[],
): Promise<ReserveResult> {
  const r = refs(db);
  return db.runTransaction(async (tx) => {
    const snaps = await tx.getAll(...reservations.map((res) => r.rateLimit(res.key)));
    const nowMs = Date.now();
    const docs = snaps.map((snap) => (snap.exists ? (snap.data() as CounterDoc) : undefined));
    const counts = reservations.map((res, i) => currentCount(docs[i], nowMs, res.window));
    const refusing = refuse(counts);
    if (refusing.length > 0) {
      const retryAfterSeconds = Math.max(
        1,
        ...refusing.map((i) => {
          const start = docs[i]?.window_start.toMillis() ?? nowMs;
          return Math.ceil((start + reservations[i].window.windowSeconds * 1000 - nowMs) / 1000);
        }),
      );
      return { ok: false, retryAfterSeconds, counted: [] };
    }
    const counted = reservations.map((res, i) => {
      const windowStart = counts[i] === 0 ? Timestamp.fromMillis(nowMs) : docs[i]!.window_start;
      tx.set(r.rateLimit(res.key), {
        count: counts[i] + 1,
        window_start: windowStart,
        expires_at: Timestamp.fromMillis(windowStart.toMillis() + res.window.windowSeconds * 1000),
      } satisfies CounterDoc);
      return { key: res.key, windowStartMs: windowStart.toMillis() };
    });
    return { ok: true, retryAfterSeconds: 0, counted };
  });
}

/** Takes back a reserved attempt (it turned out not to be a failure), if its window is still the same. */
export async function refund(db: Firestore, counted: ReserveResult['counted']): Promise<void> {
  if (counted.length === 0) return;
  const r = refs(db);
  await db.runTransaction(async (tx) => {
    const snaps = await tx.getAll(...counted.map((c) => r.rateLimit(c.key)));
    snaps.forEach((snap, i) => {
      const doc = snap.data() as CounterDoc | undefined;
      if (!doc || doc.window_start.toMillis() !== counted[i].windowStartMs || doc.count <= 0) return;
      tx.update(snap.ref, { count: doc.count - 1 });
    });
  });
}
