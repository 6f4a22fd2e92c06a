import type { Entitlements } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { customerPlan, planLimit, planTable } from '../plans/entitlements.ts';

type Feature = { [K in keyof Entitlements]: Entitlements[K] extends boolean ? K : never }[keyof Entitlements];

/** The customer's entitlements, or 403 plan_limit when their plan lacks the yes/no `feature`. */
export async function requirePlanFeature(
  db: Firestore,
  uid: string,
  feature: Feature,
  lacking: string,
): Promise<Entitlements> {
  const { plan, entitlements } = await customerPlan(db, uid);
  if (!entitlements[feature])
    throw planLimit(`The ${plan.name.en} plan has no ${lacking}.`, plan, feature, true, await planTable(db));
  return entitlements;
}
