import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  functionsBillingEnv,
  STANDIN_PRICES,
  STANDIN_SECRET_KEY,
  STANDIN_WEBHOOK_SECRET,
  type StripeStandin,
  startLocalStripeStandin,
} from '../../tools/stripe-standin/src/index.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { freePort } from '../harness/ports.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call } from '../registry/helpers.ts';

// Billing with Stripe against the local stand-in (tools/stripe-standin), through the real API on the emulator
// stack: Checkout and Portal sessions are created with the right parameters (the stand-in records each
// request), paying on the stand-in's page sends genuinely signed webhooks that upgrade the plan, replayed or
// badly signed events change nothing, and out-of-order events end in the right state.

let standin: StripeStandin;
let stack: Stack;
let db: Firestore;
const signer = new Stripe(STANDIN_SECRET_KEY);

beforeAll(async () => {
  standin = await startLocalStripeStandin({ host: '127.0.0.1', port: await freePort() });
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    functionsEnv: functionsBillingEnv(standin),
  });
  standin.setWebhookUrl(`${stack.apiUrl}/billing/webhook`);
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await standin?.stop();
});

const api = (method: string, route: string, user: TestUser | null, body?: unknown) =>
  call(stack.apiUrl!, method, route, { ...(user ? { token: user.idToken } : {}), body });
const planOf = async (uid: string) => (await db.doc(`users/${uid}`).get()).get('plan');
const account = async (user: TestUser) => (await api('GET', '/billing/account', user)).body;

/** Posts an event to the webhook as Stripe does: JSON body, Stripe-Signature over exactly that body. */
async function deliver(event: object, secret = STANDIN_WEBHOOK_SECRET, timestamp?: number) {
  const payload = JSON.stringify(event);
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  const response = await fetch(`${stack.apiUrl}/billing/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: await response.json() };
}

let eventCounter = 0;
function subscriptionEvent(
  type: string,
  created: number,
  sub: { id: string; customer: string; uid: string; price: string; status: string; created: number },
) {
  eventCounter += 1;
  return {
    id: `evt_test_${Date.now()}_${eventCounter}`,
    object: 'event',
    type,
    created,
    data: {
      object: {
        id: sub.id,
        object: 'subscription',
        customer: sub.customer,
        status: sub.status,
        created: sub.created,
        cancel_at_period_end: false,
        metadata: { uid: sub.uid },
        items: { data: [{ price: { id: sub.price }, current_period_end: created + 2_592_000 }] },
      },
    },
  };
}

async function paidCustomer(): Promise<{ user: TestUser; customer: string }> {
  const user = await signUp(stack.authHost!);
  const checkout = await api('POST', '/billing/checkout', user, { plan: 'pro' });
  expect(checkout.status).toBe(200);
  const customer = (await db.doc(`billing_accounts/${user.uid}`).get()).get('stripe_customer_id');
  return { user, customer };
}

describe('Checkout and Portal sessions against the stand-in', () => {
  it('creates a customer once and a subscription Checkout session with the plan, uid and return URLs', async () => {
    const user = await signUp(stack.authHost!);
    const before = standin.requests.length;
    const first = await api('POST', '/billing/checkout', user, { plan: 'business' });
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(new RegExp(`^${standin.url}/checkout/cs_test_`));
    const second = await api('POST', '/billing/checkout', user, { plan: 'pro' });
    expect(second.status).toBe(200);

    const sent = standin.requests.slice(before);
    expect(sent.every((r) => r.authorized)).toBe(true);
    const customers = sent.filter((r) => r.path === '/v1/customers');
    expect(customers).toHaveLength(1);
    expect(customers[0].form).toEqual({ email: user.email, metadata: { uid: user.uid } });
    expect(customers[0].idempotencyKey).toBe(`customer-${user.uid}`);
    const sessions = sent.filter((r) => r.path === '/v1/checkout/sessions');
    expect(sessions).toHaveLength(2);
    const customerId = (await db.doc(`billing_accounts/${user.uid}`).get()).get('stripe_customer_id');
    expect(sessions[0].form).toMatchObject({
      mode: 'subscription',
      customer: customerId,
      client_reference_id: user.uid,
      line_items: [{ price: STANDIN_PRICES.business, quantity: '1' }],
      metadata: { uid: user.uid, plan: 'business' },
      subscription_data: { metadata: { uid: user.uid, plan: 'business' } },
    });
    expect(sessions[0].form.success_url).toMatch(/\/account\?billing=success$/);
    expect(sessions[0].form.cancel_url).toMatch(/\/account\?billing=cancelled$/);
    expect(sessions[1].form).toMatchObject({ line_items: [{ price: STANDIN_PRICES.pro }] });
    // Nothing changes until Stripe says it was paid.
    expect(await planOf(user.uid)).toBeUndefined();
  });

  it('refuses bad plans, anonymous callers, and a portal for someone who never subscribed', async () => {
    const user = await signUp(stack.authHost!);
    expect((await api('POST', '/billing/checkout', user, { plan: 'free' })).status).toBe(400);
    expect((await api('POST', '/billing/checkout', null, { plan: 'pro' })).status).toBe(401);
    const portal = await api('POST', '/billing/portal', user);
    expect(portal).toMatchObject({ status: 409, body: { error: { code: 'no_billing_customer' } } });
  });

  it('paying on the Checkout page sends signed events that upgrade the plan; the portal then cancels it', async () => {
    const user = await signUp(stack.authHost!);
    const { url } = (await api('POST', '/billing/checkout', user, { plan: 'pro' })).body;
    const page = await fetch(url);
    expect(await page.text()).toContain('pro');
    const paid = await fetch(`${url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toMatch(/\/account\?billing=success$/);
    const delivered = standin.deliveries.slice(-3);
    expect(delivered.map((d) => [d.type, d.status])).toEqual([
      ['checkout.session.completed', 200],
      ['customer.subscription.created', 200],
      ['invoice.paid', 200],
    ]);
    expect(await planOf(user.uid)).toBe('pro');
    const view = await account(user);
    expect(view).toMatchObject({ plan: 'pro', billing: { enabled: true, status: 'active' } });
    expect(view.billing.invoices).toEqual([
      expect.objectContaining({ amount: 19_900, currency: 'thb', status: 'paid' }),
    ]);
    // Subscribed already: a second Checkout is refused (changes go through the portal).
    expect((await api('POST', '/billing/checkout', user, { plan: 'business' })).status).toBe(409);

    const before = standin.requests.length;
    const portal = await api('POST', '/billing/portal', user);
    expect(portal.status).toBe(200);
    const portalRequest = standin.requests
      .slice(before)
      .find((r) => r.path === '/v1/billing_portal/sessions');
    expect(portalRequest?.form).toEqual({
      customer: (await db.doc(`billing_accounts/${user.uid}`).get()).get('stripe_customer_id'),
      return_url: expect.stringMatching(/\/account\?billing=portal$/),
    });
    const cancelled = await fetch(`${portal.body.url}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(cancelled.status).toBe(303);
    expect(standin.deliveries.at(-1)).toMatchObject({ type: 'customer.subscription.deleted', status: 200 });
    expect(await planOf(user.uid)).toBe('free');
    expect((await account(user)).billing.status).toBe('canceled');
  });
});

describe('the webhook', () => {
  it('a replayed event is applied once; a badly signed or unsigned one changes nothing', async () => {
    const { user, customer } = await paidCustomer();
    const now = Math.floor(Date.now() / 1000);
    const sub = {
      id: `sub_${user.uid}`,
      customer,
      uid: user.uid,
      price: STANDIN_PRICES.pro,
      status: 'active',
      created: now,
    };
    const event = subscriptionEvent('customer.subscription.created', now, sub);
    expect(await deliver(event)).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
    expect(await planOf(user.uid)).toBe('pro');
    // Same event again (Stripe retries, or an attacker replays a captured request with a fresh signature).
    expect((await deliver(event)).body.outcome).toBe('duplicate');

    const upgrade = subscriptionEvent('customer.subscription.updated', now + 5, {
      ...sub,
      price: STANDIN_PRICES.business,
    });
    const forged = await deliver(upgrade, 'whsec_not_the_secret');
    expect(forged).toMatchObject({ status: 400, body: { error: { code: 'invalid_signature' } } });
    // A genuine signature from long ago is outside Stripe's tolerance (replay of a captured request).
    const old = await deliver(upgrade, STANDIN_WEBHOOK_SECRET, now - 3600);
    expect(old).toMatchObject({ status: 400, body: { error: { code: 'invalid_signature' } } });
    const unsigned = await fetch(`${stack.apiUrl}/billing/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(upgrade),
    });
    expect(unsigned.status).toBe(400);
    expect(await planOf(user.uid)).toBe('pro');
    expect((await db.doc(`billing_events/${upgrade.id}`).get()).exists).toBe(false);
  });

  it('out-of-order events end in the state of the newest one', async () => {
    const { user, customer } = await paidCustomer();
    const t = Math.floor(Date.now() / 1000);
    const sub = {
      id: `sub_a_${user.uid}`,
      customer,
      uid: user.uid,
      price: STANDIN_PRICES.pro,
      status: 'active',
      created: t,
    };
    // Upgrade to Business (t+20) arrives before the older "created as Pro" (t) and "updated" (t+10).
    await deliver(
      subscriptionEvent('customer.subscription.updated', t + 20, { ...sub, price: STANDIN_PRICES.business }),
    );
    expect((await deliver(subscriptionEvent('customer.subscription.created', t, sub))).body.outcome).toBe(
      'stale',
    );
    expect(
      (await deliver(subscriptionEvent('customer.subscription.updated', t + 10, sub))).body.outcome,
    ).toBe('stale');
    expect(await planOf(user.uid)).toBe('business');

    // Cancelled (t+30); a late "active" update (t+25) must not bring it back.
    await deliver(subscriptionEvent('customer.subscription.deleted', t + 30, { ...sub, status: 'canceled' }));
    expect(await planOf(user.uid)).toBe('free');
    await deliver(
      subscriptionEvent('customer.subscription.updated', t + 25, { ...sub, price: STANDIN_PRICES.business }),
    );
    expect(await planOf(user.uid)).toBe('free');

    // A new subscription (created later) takes over; the old one's stragglers change nothing.
    const next = { ...sub, id: `sub_b_${user.uid}`, created: t + 40, price: STANDIN_PRICES.pro };
    await deliver(subscriptionEvent('customer.subscription.created', t + 40, next));
    expect(await planOf(user.uid)).toBe('pro');
    const straggler = subscriptionEvent('customer.subscription.updated', t + 50, {
      ...sub,
      price: STANDIN_PRICES.business,
    });
    expect((await deliver(straggler)).body.outcome).toBe('stale');
    expect(await planOf(user.uid)).toBe('pro');

    // A failed payment marks it past due without taking the plan away (Stripe retries first).
    const failed = {
      id: `evt_fail_${user.uid}`,
      object: 'event',
      type: 'invoice.payment_failed',
      created: t + 60,
      data: {
        object: {
          id: `in_${user.uid}`,
          object: 'invoice',
          customer,
          amount_due: 19_900,
          currency: 'thb',
          created: t + 60,
        },
      },
    };
    expect((await deliver(failed)).body.outcome).toBe('applied');
    const view = await account(user);
    expect(view).toMatchObject({ plan: 'pro', billing: { status: 'past_due' } });
    expect(view.billing.invoices[0]).toMatchObject({ status: 'failed', amount: 19_900 });
  });
});
