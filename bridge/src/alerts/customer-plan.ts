import {
  DEFAULT_PLAN_ID,
  DEFAULT_PLANS,
  firestorePaths,
  isPlanId,
  PLAN_IDS,
  type Plan,
  type PlanId,
  planWithOverrides,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';

// The customer's plan as the bridge sees it at delivery time: the same table as the functions' (defaults with
// operators' plans/{id} overrides, packages/protocol planWithOverrides), cached for a minute per process;
// the customer's users/{uid}.plan is read fresh each time, so a downgrade or an upgrade counts at once.

const PLAN_TABLE_TTL_MS = 60_000;

export function customerPlans(db: Firestore, now: () => number) {
  let cached: { at: number; table: Promise<Record<PlanId, Plan>> } | null = null;
  const table = (): Promise<Record<PlanId, Plan>> => {
    if (cached && now() - cached.at < PLAN_TABLE_TTL_MS) return cached.table;
    const loading = Promise.all(PLAN_IDS.map((id) => db.doc(firestorePaths.plan(id)).get())).then(
      (snaps) =>
        Object.fromEntries(
          PLAN_IDS.map((id, i) => [id, planWithOverrides(DEFAULT_PLANS[id], snaps[i].data())]),
        ) as Record<PlanId, Plan>,
    );
    // A failed read must not stay cached for a minute.
    loading.catch(() => {
      if (cached?.table === loading) cached = null;
    });
    cached = { at: now(), table: loading };
    return loading;
  };
  return async (uid: string): Promise<Plan> => {
    const [plans, user] = await Promise.all([table(), db.doc(firestorePaths.user(uid)).get()]);
    const id = user.get('plan');
    return plans[isPlanId(id) ? id : DEFAULT_PLAN_ID];
  };
}
