// When an alert or support email could not be handed to the SMTP relay: tried again later, with the pause
// doubling from the first, up to a cap, and given up after a number of attempts (SMTP relays have bad minutes,
// not bad days; an address that never accepts mail must not be retried for ever).

export interface EmailRetryPolicy {
  attempts: number;
  firstPauseMs: number;
  maxPauseMs: number;
}

export type EmailRetry = { retry: true; deliverAfter: number } | { retry: false };

/** `attempt`: this attempt's number, from 1. */
export function emailRetry(policy: EmailRetryPolicy, attempt: number, now: number): EmailRetry {
  if (attempt >= policy.attempts) return { retry: false };
  const pause = Math.min(policy.firstPauseMs * 2 ** (attempt - 1), policy.maxPauseMs);
  return { retry: true, deliverAfter: now + pause };
}
