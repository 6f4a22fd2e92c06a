import { firestorePaths } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config.ts';

// Which retention a device's history gets: the owner's plan (users/{uid}.plan, written by billing, #16),
// looked up in the entitlement table of config.ts; no owner, no plan field or an unknown plan id → the
// default plan ('free'). Cached per run so a fleet of one owner costs one read.

export interface AnalyticsEntitlement {
  /** Hour documents (per-minute points) are kept this many days. */
  detailDays: number;
  /** Day summaries are kept this many days. */
  summaryDays: number;
}

export function entitlementOf(plan: unknown): AnalyticsEntitlement {
  const plans: Record<string, AnalyticsEntitlement> = config.analytics.plans;
  return (typeof plan === 'string' && plans[plan]) || plans[config.analytics.defaultPlan];
}

export function planLookup(db: Firestore): (ownerUid: string | null) => Promise<AnalyticsEntitlement> {
  const cache = new Map<string, Promise<AnalyticsEntitlement>>();
  return (ownerUid) => {
    if (!ownerUid) return Promise.resolve(entitlementOf(null));
    let found = cache.get(ownerUid);
    if (!found) {
      found = db
        .doc(firestorePaths.user(ownerUid))
        .get()
        .then((snap) => entitlementOf(snap.get('plan')));
      cache.set(ownerUid, found);
    }
    return found;
  };
}
