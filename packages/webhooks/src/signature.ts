import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// The signature every ESP32 Cloud webhook carries: HMAC-SHA256 over "{timestamp}.{raw body}" with the
// endpoint's secret, sent as `v1=<hex>` beside the timestamp (Unix seconds). Receivers recompute it and
// reject timestamps older than a few minutes, so a captured call cannot be replayed later.

export const SIGNATURE_HEADER = 'x-esp32cloud-signature';
export const TIMESTAMP_HEADER = 'x-esp32cloud-timestamp';
export const EVENT_HEADER = 'x-esp32cloud-event';
export const DELIVERY_HEADER = 'x-esp32cloud-delivery';

/** A new endpoint secret: 32 random bytes, prefixed so it is recognisable in a secret scanner. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** True when `signature` is right for this body and timestamp and the timestamp is within `toleranceSeconds`. */
export function verifyWebhook(
  secret: string,
  timestampHeader: string | undefined,
  signature: string | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || !signature) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
