import { randomUUID } from 'node:crypto';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from './signature.ts';

// One webhook delivery: a signed JSON POST, retried with exponential backoff on a network error, a timeout,
// a 429 or a 5xx (a 4xx other than 429 is the receiver saying no, and is not retried). Each attempt is
// re-signed with a fresh timestamp. The caller keeps the delivery log and the endpoint's failure count; this
// module only sends, so alert webhooks and event webhooks share it.

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled each time after. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  initialDelayMs: 2_000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};

export interface AttemptRecord {
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryResult {
  deliveryId: string;
  ok: boolean;
  status: number | null;
  attempts: AttemptRecord[];
  error: string | null;
}

export interface DeliverOptions {
  event: string;
  /** The JSON body, serialised once so the signature covers exactly the bytes sent. */
  body: unknown;
  policy?: Partial<RetryPolicy>;
  deliveryId?: string;
  /** Called after each attempt (for a live delivery log). */
  onAttempt?: (record: AttemptRecord) => void;
  sleep?: (ms: number) => Promise<void>;
}

const retriable = (status: number) => status === 429 || status >= 500;

export function backoffDelay(policy: RetryPolicy, attemptJustFailed: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attemptJustFailed - 1));
}

export async function deliverWebhook(
  target: WebhookTarget,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deliveryId = options.deliveryId ?? randomUUID();
  const raw = JSON.stringify(options.body);
  const attempts: AttemptRecord[] = [];
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const started = Date.now();
    const timestamp = Math.floor(started / 1000);
    let record: AttemptRecord;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ESP32-Cloud-Webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, raw),
          [EVENT_HEADER]: options.event,
          [DELIVERY_HEADER]: deliveryId,
        },
        body: raw,
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      record = { attempt, status: response.status, error: null, durationMs: Date.now() - started };
      attempts.push(record);
      options.onAttempt?.(record);
      if (response.ok) return { deliveryId, ok: true, status: response.status, attempts, error: null };
      if (!retriable(response.status)) break;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      record = { attempt, status: null, error: message, durationMs: Date.now() - started };
      attempts.push(record);
      options.onAttempt?.(record);
    }
    if (attempt < policy.attempts) await sleep(backoffDelay(policy, attempt));
  }
  const last = attempts[attempts.length - 1];
  return {
    deliveryId,
    ok: false,
    status: last?.status ?? null,
    attempts,
    error: last?.error ?? (last?.status ? `HTTP ${last.status}` : 'not sent'),
  };
}
