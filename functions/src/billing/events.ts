import {
  BILLING_STATUSES,
  type BillingStatus,
  DEFAULT_PLAN_ID,
  firestorePaths,
  type InvoiceSummary,
  isPlanId,
  type PlanId,
} from '@esp32cloud/protocol';
import type { Firestore, Transaction } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { accountRef, type BillingAccountDoc, emptyAccount, uidOfCustomer } from './accounts.ts';

// Applying one verified Stripe event (docs/BILLING.md, "Webhook"). Each event is applied at most once: its id is
// recorded in billing_events in the same transaction as its effect. Events can arrive late and out of order, so
// a subscription's state only moves forward: an event older (Stripe's `created`) than the last one applied to the
// subscription is skipped, a subscription older than the customer's current one never replaces it, and a
// cancelled subscription stays cancelled.

/** The parts of Stripe's objects used here (the API version may add fields; none is relied on beyond these). */
export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export type EventOutcome = 'applied' | 'duplicate' | 'stale' | 'ignored';

const str = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && 'id' in value
      ? String(value.id)
      : null;
const metadataOf = (object: Record<string, unknown>) => (object.metadata ?? {}) as Record<string, string>;

/** The plan a subscription pays for: its price id (config), else the plan named in its metadata. */
function planOfSubscription(subscription: Record<string, unknown>): PlanId {
  const items = (subscription.items as { data?: { price?: { id?: string } }[] } | undefined)?.data ?? [];
  const priceId = items[0]?.price?.id;
  for (const [plan, price] of Object.entries(config.billing.prices))
    if (price && price === priceId) return plan as PlanId;
  const named = metadataOf(subscription).plan;
  return isPlanId(named) ? named : DEFAULT_PLAN_ID;
}

function periodEnd(subscription: Record<string, unknown>): string | null {
  const items = (subscription.items as { data?: { current_period_end?: number }[] } | undefined)?.data ?? [];
  const seconds = items[0]?.current_period_end ?? (subscription.current_period_end as number | undefined);
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
}

const statusOf = (value: unknown): BillingStatus =>
  value === 'incomplete_expired'
    ? 'canceled'
    : (BILLING_STATUSES as readonly string[]).includes(value as string)
      ? (value as BillingStatus)
      : 'incomplete';
const PAYING: BillingStatus[] = ['active', 'trialing', 'past_due'];

async function resolveUid(
  tx: Transaction,
  db: Firestore,
  object: Record<string, unknown>,
): Promise<string | null> {
  const fromMetadata = metadataOf(object).uid ?? (object.client_reference_id as string | undefined);
  if (fromMetadata && !fromMetadata.includes('/')) return fromMetadata;
  const customer = str(object.customer);
  return customer ? uidOfCustomer(tx, db, customer) : null;
}

function applySubscription(
  account: BillingAccountDoc,
  event: StripeEventLike,
): { account: BillingAccountDoc; plan: PlanId } | 'stale' {
  const subscription = event.data.object;
  const id = str(subscription.id);
  const created = subscription.created as number;
  const status = event.type === 'customer.subscription.deleted' ? 'canceled' : statusOf(subscription.status);
  if (account.subscription_id && account.subscription_id !== id) {
    // Another subscription: only a newer one takes over (an old one's late events change nothing).
    if ((account.subscription_created ?? 0) > created) return 'stale';
  } else if (account.subscription_id === id) {
    if (account.status === 'canceled') return 'stale';
    if ((account.subscription_event_created ?? 0) > event.created) return 'stale';
  }
  const plan = PAYING.includes(status) ? planOfSubscription(subscription) : DEFAULT_PLAN_ID;
  return {
    plan,
    account: {
      ...account,
      stripe_customer_id: str(subscription.customer) ?? account.stripe_customer_id,
      subscription_id: id,
      subscription_created: created,
      subscription_event_created: event.created,
      status,
      plan,
      current_period_end: periodEnd(subscription),
      cancel_at_period_end: subscription.cancel_at_period_end === true,
    },
  };
}

function invoiceSummary(invoice: Record<string, unknown>, failed: boolean): InvoiceSummary {
  return {
    id: str(invoice.id) ?? '',
    number: (invoice.number as string | null) ?? null,
    amount: Number(failed ? invoice.amount_due : (invoice.amount_paid ?? invoice.amount_due)) || 0,
    currency: String(invoice.currency ?? 'thb'),
    status: failed ? 'failed' : 'paid',
    created_at: new Date(Number(invoice.created ?? 0) * 1000).toISOString(),
    url: (invoice.hosted_invoice_url as string | null) ?? null,
  };
}

function applyInvoice(account: BillingAccountDoc, event: StripeEventLike): BillingAccountDoc {
  const failed = event.type === 'invoice.payment_failed';
  const summary = invoiceSummary(event.data.object, failed);
  const others = account.invoices.filter((invoice) => invoice.id !== summary.id);
  const invoices = [summary, ...others]
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .slice(0, config.billing.invoicesKept);
  // A failed payment marks the subscription past due (Stripe retries; its subscription events decide the plan).
  const newer = (account.subscription_event_created ?? 0) <= event.created;
  let status = account.status;
  if (failed && status === 'active' && newer) status = 'past_due';
  if (!failed && status === 'past_due' && newer) status = 'active';
  return { ...account, invoices, status };
}

export async function applyEvent(db: Firestore, event: StripeEventLike): Promise<EventOutcome> {
  const handled =
    event.type.startsWith('customer.subscription.') ||
    event.type === 'checkout.session.completed' ||
    event.type === 'invoice.paid' ||
    event.type === 'invoice.payment_failed';
  return db.runTransaction(async (tx): Promise<EventOutcome> => {
    const eventRef = db.doc(firestorePaths.billingEvent(event.id));
    if ((await tx.get(eventRef)).exists) return 'duplicate';
    const record = (outcome: EventOutcome, uid: string | null) => {
      tx.create(eventRef, {
        type: event.type,
        created: event.created,
        uid,
        outcome,
        received_at: new Date().toISOString(),
      });
      return outcome;
    };
    if (!handled) return record('ignored', null);
    const object = event.data.object;
    const uid = await resolveUid(tx, db, object);
    if (!uid) return record('ignored', null);
    const snap = await tx.get(accountRef(db, uid));
    const account = snap.exists ? (snap.data() as BillingAccountDoc) : emptyAccount(uid);
    const now = new Date().toISOString();

    if (event.type.startsWith('customer.subscription.')) {
      const applied = applySubscription(account, event);
      if (applied === 'stale') return record('stale', uid);
      tx.set(accountRef(db, uid), { ...applied.account, updated_at: now });
      tx.set(
        db.doc(firestorePaths.user(uid)),
        { plan: applied.plan, plan_source: 'billing', plan_updated_at: now },
        { merge: true },
      );
      return record('applied', uid);
    }
    if (event.type === 'checkout.session.completed') {
      tx.set(accountRef(db, uid), {
        ...account,
        stripe_customer_id: str(object.customer) ?? account.stripe_customer_id,
        updated_at: now,
      });
      return record('applied', uid);
    }
    tx.set(accountRef(db, uid), { ...applyInvoice(account, event), updated_at: now });
    return record('applied', uid);
  });
}
