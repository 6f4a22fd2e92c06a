import { type DocumentSnapshot, FieldValue, type Firestore, Timestamp } from 'firebase-admin/firestore';
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

/** One counter an attempt is counted in. */
export interface Reservation {
  key: string;
  window: Window;
}

export interface ReserveResult {
  ok: boolean;
  /** When refused: seconds until the refusing window ends (for Retry-After). */
  retryAfterSeconds: number;
  /** Where the attempt was counted, for refund(). */
  counted: Array<{ key: string; field: string }>;
  /** Each counter's count including this attempt, and its document as read back. */
  counts: number[];
  snapshots: DocumentSnapshot[];
}

/**
 * Attempt counters keep one field per fixed window (`w<window index>`) in the counter's document
 * rate_limits/{key}, so a new window starts from zero by itself, and deleting the document (a serial's counter
 * cleared by a reset report) clears every window. expires_at follows the latest window for a TTL policy.
 */
function windowOf(reservation: Reservation, nowMs: number): { field: string; endsAtMs: number } {
  const length = reservation.window.windowSeconds * 1000;
  const index = Math.floor(nowMs / length);
  return { field: `w${index}`, endsAtMs: (index + 1) * length };
}

/**
 * Count first, then check: one atomic batch adds the attempt to every counter (FieldValue.increment, no
 * transaction, so a burst never queues on locks), then the counts are read back. Each increment makes a
 * distinct value and a read sees at least its own, so at most `limit` attempts can read a count within the
 * limit however many run at once. `refuse` gets the counts including this attempt and returns the indexes
 * of the counters that refuse it (empty lets it through). The caller gives back (refund) what it does not
 * want counted, a refused attempt included: a read still sees every attempt let through before it, so
 * refunds never let more than the limit through.
 */
export async function reserve(
  db: Firestore,
  reservations: Reservation[],
  refuse: (counts: number[]) => number[],
): Promise<ReserveResult> {
  const nowMs = Date.now();
  const r = refs(db);
  const windows = reservations.map((reservation) => windowOf(reservation, nowMs));
  const batch = db.batch();
  reservations.forEach((reservation, i) => {
    batch.set(
      r.rateLimit(reservation.key),
      { [windows[i].field]: FieldValue.increment(1), expires_at: Timestamp.fromMillis(windows[i].endsAtMs) },
      { merge: true },
    );
  });
  await batch.commit();
  const snaps = await db.getAll(...reservations.map((reservation) => r.rateLimit(reservation.key)));
  const counts = snaps.map((snap, i) => Number(snap.get(windows[i].field) ?? 0));
  const counted = reservations.map((reservation, i) => ({ key: reservation.key, field: windows[i].field }));
  const refusing = refuse(counts);
  if (refusing.length === 0) return { ok: true, retryAfterSeconds: 0, counted, counts, snapshots: snaps };
  const retryAfterSeconds = Math.max(
    1,
    ...refusing.map((i) => Math.ceil((windows[i].endsAtMs - nowMs) / 1000)),
  );
  return { ok: false, retryAfterSeconds, counted, counts, snapshots: snaps };
}

/** Takes back a counted attempt that turned out not to be a failure (a cleared counter stays cleared). */
export async function refund(db: Firestore, counted: ReserveResult['counted']): Promise<void> {
  const r = refs(db);
  await Promise.all(
    counted.map(({ key, field }) =>
      db.runTransaction(async (tx) => {
        const snap = await tx.get(r.rateLimit(key));
        const count = Number(snap.get(field) ?? 0);
        if (snap.exists && count > 0) tx.update(snap.ref, { [field]: count - 1 });
      }),
    ),
  );
}
