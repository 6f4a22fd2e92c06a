import { checkoutBodySchema } from '@esp32cloud/protocol';
import { accountView } from '../billing/account-view.ts';
import { createCheckout, createPortal } from '../billing/sessions.ts';
import { requireBilling } from '../billing/stripe-client.ts';
import { receiveWebhook } from '../billing/webhook.ts';
import { db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';

// /api/billing/**: the caller's Account page data, Stripe Checkout and Customer Portal sessions, and Stripe's
// webhook (no sign-in: the signature is the proof). With billing off the session and webhook routes answer
// 503 billing_disabled; the account view still answers (plans set by operators).

const noStore = { 'cache-control': 'no-store' };

export function registerBillingRoutes(router: Router): void {
  router.add('GET', '/billing/account', {
    auth: 'required',
    handler: async ({ caller }) => ({ body: await accountView(db, caller!.uid), headers: noStore }),
  });

  // Starting or changing a subscription is a person's decision: ID tokens only, never an API key.
  router.add('POST', '/billing/checkout', {
    auth: 'required',
    idTokenOnly: true,
    body: checkoutBodySchema,
    handler: async ({ caller, body }) => {
      requireBilling();
      const session = await createCheckout(db, caller!, body.plan);
      logs.billingSession(caller!.uid, 'checkout', body.plan);
      return { body: session, headers: noStore };
    },
  });

  router.add('POST', '/billing/portal', {
    auth: 'required',
    idTokenOnly: true,
    handler: async ({ caller }) => {
      requireBilling();
      const session = await createPortal(db, caller!);
      logs.billingSession(caller!.uid, 'portal', null);
      return { body: session, headers: noStore };
    },
  });

  router.add('POST', '/billing/webhook', {
    auth: 'none',
    handler: async ({ rawBody, headers }) => {
      const received = await receiveWebhook(db, rawBody, headers['stripe-signature']);
      logs.billingEvent(received.id, received.type, received.outcome);
      return { body: { received: true, outcome: received.outcome } };
    },
  });
}
