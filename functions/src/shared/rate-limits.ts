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
