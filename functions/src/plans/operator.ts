import { firestorePaths, type Plan, type PlanId } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import type { z } from 'zod';
import { forgetPlanTable, planTable } from './entitlements.ts';
import type { planEditSchema } from './validation.ts';

// Operators' changes: a plan's overrides (plans/{id}) and a customer's plan when billing is off or a deal was
// made by hand. Billing's webhook overwrites users/{uid}.plan on the customer's next subscription event.

export async function editPlan(
  db: Firestore,
  id: PlanId,
  edit: z.infer<typeof planEditSchema>,
  operatorUid: string,
): Promise<Plan> {
  const ref = db.doc(firestorePaths.plan(id));
  await db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data() ?? {};
    tx.set(ref, {
      ...current,
      ...(edit.name ? { name: edit.name } : {}),
      ...(edit.priceThbMonthly !== undefined ? { priceThbMonthly: edit.priceThbMonthly } : {}),
      entitlements: { ...(current.entitlements ?? {}), ...(edit.entitlements ?? {}) },
      updated_at: new Date().toISOString(),
      updated_by: operatorUid,
    });
  });
  // This instance answers with the edit at once; the others within the table's one-minute cache.
  forgetPlanTable();
  return (await planTable(db))[id];
}

export async function setCustomerPlan(db: Firestore, uid: string, plan: PlanId, operatorUid: string) {
  await db.doc(firestorePaths.user(uid)).set(
    {
      plan,
      plan_source: 'operator',
      plan_updated_at: new Date().toISOString(),
      plan_updated_by: operatorUid,
    },
    { merge: true },
  );
}
