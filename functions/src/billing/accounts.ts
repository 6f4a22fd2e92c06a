import {
  type BillingStatus,
  COLLECTIONS,
  firestorePaths,
  type InvoiceSummary,
  type PlanId,
} from '@esp32cloud/protocol';
import type { Firestore, Transaction } from 'firebase-admin/firestore';

// billing_accounts/{uid}: what billing knows of one customer. Server-only (no client rule): the Stripe ids
// stay here and the Account page reads a view of it through the API.

export interface BillingAccountDoc {
  uid: string;
  stripe_customer_id: string | null;
  subscription_id: string | null;
  /** Stripe's `created` (seconds) of that subscription: an older subscription's events never win. */
  subscription_created: number | null;
  /** `created` (seconds) of the last event applied to the subscription: older ones arriving late are skipped. */
  subscription_event_created: number | null;
  status: BillingStatus;
  /** The plan the subscription pays for (users/{uid}.plan is set from it). */
  plan: PlanId | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  invoices: InvoiceSummary[];
  updated_at: string;
}

export function emptyAccount(uid: string): BillingAccountDoc {
  return {
    uid,
    stripe_customer_id: null,
    subscription_id: null,
    subscription_created: null,
    subscription_event_created: null,
    status: 'none',
    plan: null,
    current_period_end: null,
    cancel_at_period_end: false,
    invoices: [],
    updated_at: new Date().toISOString(),
  };
}

export const accountRef = (db: Firestore, uid: string) => db.doc(firestorePaths.billingAccount(uid));

export async function readAccount(db: Firestore, uid: string): Promise<BillingAccountDoc> {
  const snap = await accountRef(db, uid).get();
  return snap.exists ? (snap.data() as BillingAccountDoc) : emptyAccount(uid);
}

/** The customer's uid from a Stripe customer id (inside a webhook's transaction). */
export async function uidOfCustomer(
  tx: Transaction,
  db: Firestore,
  customerId: string,
): Promise<string | null> {
  const found = await tx.get(
    db.collection(COLLECTIONS.billingAccounts).where('stripe_customer_id', '==', customerId).limit(1),
  );
  return found.empty ? null : (found.docs[0].get('uid') as string);
}
