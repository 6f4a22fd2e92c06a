import { bridgeLogs } from './logs.ts';

// Firestore calls are retried on transient failures (the backend restarting or unreachable, contention) with
// a backoff that doubles up to a ceiling, for as long as an outage plausibly lasts: a message is acknowledged
// to the broker only once handled (deferred-acks.ts), so the device's queue simply waits and catches up when
// Firestore is back, in order. A permanent failure (e.g. the device document was deleted) is not retried.

const TRANSIENT = new Set([4, 8, 10, 13, 14]); // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  /** Give up (the error reaches the caller) once this long has passed since the first failure. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 100, maxMs: 5000, giveUpAfterMs: 10 * 60_000 };

// Every device's queue retries on its own; one line per kind per few seconds keeps an outage's log readable.
const lastLogged = new Map<string, number>();
function quiet(kind: string): boolean {
  const now = Date.now();
  if (now - (lastLogged.get(kind) ?? 0) < 5000) return false;
  lastLogged.set(kind, now);
  return true;
}

export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY) {
  let firstFailure = 0;
  let delay = policy.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await operation();
      if (attempt > 1 && quiet('ok')) bridgeLogs.retrySucceeded(attempt, Date.now() - firstFailure);
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      firstFailure ||= Date.now();
      if (typeof code !== 'number' || !TRANSIENT.has(code)) throw error;
      if (Date.now() - firstFailure >= policy.giveUpAfterMs) throw error;
      if (quiet('retry')) bridgeLogs.retrying(attempt, delay, code);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(policy.maxMs, delay * 2);
    }
  }
}
