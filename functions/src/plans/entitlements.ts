import {
  DEFAULT_PLAN_ID,
  DEFAULT_PLANS,
  type Entitlements,
  firestorePaths,
  isPlanId,
  PLAN_IDS,
  PLAN_LIMIT_ERROR,
  type Plan,
  type PlanId,
  type PlanLimitDetails,
  planThatLifts,
  planWithOverrides,
} from '@esp32cloud/protocol';
import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { ApiError } from '../http/errors.ts';

// A customer's entitlements: the plan id on users/{uid} (billing or an operator writes it), looked up in
// the plan table, which is DEFAULT_PLANS with each Firestore plans/{id} document laid over it field by
// field. The table is cached for a minute per function instance, so an operator's edit reaches every
// instance within that minute and a request costs one read (the user document) at most.

const PLAN_TABLE_TTL_MS = 60_000;

let cachedTable: { at: number; table: Promise<Record<PlanId, Plan>> } | null = null;

/** The plan table (defaults with operators' overrides), cached per instance for a minute. */
export function planTable(db: Firestore, now = Date.now()): Promise<Record<PlanId, Plan>> {
  if (cachedTable && now - cachedTable.at < PLAN_TABLE_TTL_MS) return cachedTable.table;
  const table = Promise.all(PLAN_IDS.map((id) => db.doc(firestorePaths.plan(id)).get())).then(
    (snaps) =>
      Object.fromEntries(
        PLAN_IDS.map((id, i) => [id, planWithOverrides(DEFAULT_PLANS[id], snaps[i].data())]),
      ) as Record<PlanId, Plan>,
  );
  // A failed read must not poison the cache for a minute.
  table.catch(() => {
    if (cachedTable?.table === table) cachedTable = null;
  });
  cachedTable = { at: now, table };
  return table;
}

/** Forget the cached plan table (an operator just edited a plan on this instance). */
export function forgetPlanTable(): void {
  cachedTable = null;
}

export interface CustomerPlan {
  plan: Plan;
  entitlements: Entitlements;
}

/** The plan and entitlements of one customer; no user document or an unknown plan id → Free. */
export async function customerPlan(
  db: Firestore,
  uid: string,
  userSnapshot?: DocumentSnapshot,
): Promise<CustomerPlan> {
  const [table, user] = await Promise.all([
    planTable(db),
    userSnapshot ?? db.doc(firestorePaths.user(uid)).get(),
  ]);
  const id = user.get('plan');
  const plan = table[isPlanId(id) ? id : DEFAULT_PLAN_ID];
  return { plan, entitlements: plan.entitlements };
}

/** The 403 every plan refusal answers with: which limit, what the plan allows, and the plan that lifts it. */
export function planLimit(
  message: string,
  current: Plan,
  limit: keyof Entitlements,
  needed: number | boolean | string,
  table: Record<PlanId, Plan> = DEFAULT_PLANS,
): ApiError {
  const details: PlanLimitDetails = {
    limit,
    allowed: current.entitlements[limit],
    plan: current.id,
    upgradeTo: planThatLifts(limit, needed, table),
  };
  return new ApiError(403, PLAN_LIMIT_ERROR, message, details);
}
