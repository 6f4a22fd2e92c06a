import { BILLING_DISABLED_ERROR } from '@esp32cloud/protocol';
import Stripe from 'stripe';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';

// The one Stripe client of an instance. Keys come from config.ts (Secret Manager in production), never from a
// request or a document. STRIPE_API_HOST points it at the local stand-in (tools/stripe-standin); unset, it is
// api.stripe.com. Retries are the package's own (idempotency keys make them safe).

let client: Stripe | null = null;

export function billingEnabled(): boolean {
  return config.billing.secretKey !== '';
}

export function requireBilling(): void {
  if (!billingEnabled())
    throw new ApiError(
      503,
      BILLING_DISABLED_ERROR,
      'Online billing is not available here; an operator sets plans. Contact support to change your plan.',
    );
}

export function stripe(): Stripe {
  requireBilling();
  if (!client) {
    const local = config.billing.apiHost
      ? {
          host: config.billing.apiHost,
          port: config.billing.apiPort,
          protocol: config.billing.apiProtocol,
        }
      : {};
    client = new Stripe(config.billing.secretKey, { maxNetworkRetries: 2, timeout: 10_000, ...local });
  }
  return client;
}

/** Webhook events are checked against this secret; without it no event is trusted. */
export function webhookSecret(): string {
  requireBilling();
  if (!config.billing.webhookSecret)
    throw new ApiError(503, BILLING_DISABLED_ERROR, 'The billing webhook secret is not configured.');
  return config.billing.webhookSecret;
}
