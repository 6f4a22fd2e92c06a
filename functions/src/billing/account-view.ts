import {
  type AccountResponse,
  COLLECTIONS,
  firestorePaths,
  type UsageFigures,
  usageMonthId,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { customerPlan } from '../plans/entitlements.ts';
import { readAccount } from './accounts.ts';
import { billingEnabled } from './stripe-client.ts';

// What the Account page shows (and an operator reads for any customer): plan, entitlements, this month's
// usage, devices over the limit, billing status and invoices.

export async function usageOf(
  db: Firestore,
  uid: string,
  month = usageMonthId(Date.now()),
): Promise<UsageFigures> {
  const [meter, owned] = await Promise.all([
    db.doc(firestorePaths.usageMonth(uid, month)).get(),
    db.collection(COLLECTIONS.devices).where('owner_uid', '==', uid).count().get(),
  ]);
  const figure = (name: string) => {
    const value = meter.get(name);
    return typeof value === 'number' ? value : 0;
  };
  const current = month === usageMonthId(Date.now());
  // The live count for the current month, remembered as the month's peak when it grew, so a past month shows
  // the most devices it had (whenever the account was looked at).
  if (current && owned.data().count > figure('devices'))
    await meter.ref.set({ uid, month, devices: owned.data().count }, { merge: true });
  return {
    month,
    devices: current ? owned.data().count : figure('devices'),
    messages: figure('messages'),
    api_calls: figure('api_calls'),
  };
}

export async function accountView(db: Firestore, uid: string, month?: string): Promise<AccountResponse> {
  const [{ plan, entitlements }, usage, account] = await Promise.all([
    customerPlan(db, uid),
    usageOf(db, uid, month),
    readAccount(db, uid),
  ]);
  const owned = month ? (await usageOf(db, uid)).devices : usage.devices;
  return {
    plan: plan.id,
    plan_name: plan.name,
    entitlements,
    usage,
    read_only_devices: Math.max(0, owned - entitlements.devices),
    billing: {
      enabled: billingEnabled(),
      status: account.status,
      current_period_end: account.current_period_end,
      cancel_at_period_end: account.cancel_at_period_end,
      invoices: account.invoices,
    },
  };
}
