import type { Firestore } from 'firebase-admin/firestore';
import { ApiError } from '../http/errors.ts';
import { applyEvent, type EventOutcome, type StripeEventLike } from './events.ts';
import { stripe, webhookSecret } from './stripe-client.ts';

// POST /api/billing/webhook: Stripe's signature (Stripe-Signature: t=…,v1=HMAC-SHA256 of "t.body") is checked on
// the raw body with the package's constructEvent, which also refuses timestamps older than its tolerance
// (5 minutes) so a captured request cannot be replayed later; then the event is applied once (events.ts).

export async function receiveWebhook(
  db: Firestore,
  rawBody: Buffer | undefined,
  signature: string | string[] | undefined,
): Promise<{ id: string; type: string; outcome: EventOutcome }> {
  const secret = webhookSecret();
  if (!rawBody || typeof signature !== 'string' || signature === '')
    throw new ApiError(400, 'invalid_signature', 'A Stripe-Signature header and the raw body are required.');
  let event: StripeEventLike;
  try {
    event = stripe().webhooks.constructEvent(rawBody, signature, secret) as unknown as StripeEventLike;
  } catch {
    throw new ApiError(400, 'invalid_signature', 'The webhook signature does not match.');
  }
  if (typeof event.id !== 'string' || event.id.includes('/') || typeof event.created !== 'number')
    throw new ApiError(400, 'invalid_argument', 'The event has no usable id or creation time.');
  return { id: event.id, type: event.type, outcome: await applyEvent(db, event) };
}
