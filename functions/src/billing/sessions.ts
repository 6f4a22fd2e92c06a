import type { BillingSessionResponse, PlanId } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import type { Caller } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { accountRef, emptyAccount, readAccount } from './accounts.ts';
import { stripe } from './stripe-client.ts';

// Checkout (subscribe to a paid plan) and the Customer Portal (change card, switch plan, cancel). Both return
// a Stripe-hosted URL the web app opens; the plan itself changes only when Stripe's signed webhook says so.

const accountUrl = (outcome: string) => `${config.appUrl}/account?billing=${outcome}`;

/** The customer's Stripe customer, created once (the idempotency key makes a racing second call reuse it). */
async function customerOf(db: Firestore, caller: Caller): Promise<string> {
  const account = await readAccount(db, caller.uid);
  if (account.stripe_customer_id) return account.stripe_customer_id;
  const customer = await stripe().customers.create(
    { ...(caller.email ? { email: caller.email } : {}), metadata: { uid: caller.uid } },
    { idempotencyKey: `customer-${caller.uid}` },
  );
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(accountRef(db, caller.uid));
    const current = snap.exists ? snap.data() : emptyAccount(caller.uid);
    if (current?.stripe_customer_id) return;
    tx.set(accountRef(db, caller.uid), {
      ...current,
      stripe_customer_id: customer.id,
      updated_at: new Date().toISOString(),
    });
  });
  return customer.id;
}

const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

export async function createCheckout(
  db: Firestore,
  caller: Caller,
  plan: Exclude<PlanId, 'free'>,
): Promise<BillingSessionResponse> {
  const price = config.billing.prices[plan];
  if (!price)
    throw new ApiError(503, 'billing_not_configured', `No Stripe price is configured for the ${plan} plan.`);
  const account = await readAccount(db, caller.uid);
  if (account.subscription_id && LIVE_STATUSES.has(account.status))
    throw new ApiError(
      409,
      'subscription_exists',
      'You already have a subscription. Change or cancel it with "Manage billing".',
    );
  const customer = await customerOf(db, caller);
  const session = await stripe().checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: caller.uid,
    line_items: [{ price, quantity: 1 }],
    success_url: accountUrl('success'),
    cancel_url: accountUrl('cancelled'),
    metadata: { uid: caller.uid, plan },
    subscription_data: { metadata: { uid: caller.uid, plan } },
  });
  if (!session.url) throw new ApiError(502, 'billing_unavailable', 'Stripe returned no checkout page.');
  return { url: session.url };
}

export async function createPortal(db: Firestore, caller: Caller): Promise<BillingSessionResponse> {
  const account = await readAccount(db, caller.uid);
  if (!account.stripe_customer_id)
    throw new ApiError(
      409,
      'no_billing_customer',
      'You have not subscribed yet; choose a plan to upgrade first.',
    );
  const session = await stripe().billingPortal.sessions.create({
    customer: account.stripe_customer_id,
    return_url: accountUrl('portal'),
  });
  return { url: session.url };
}
