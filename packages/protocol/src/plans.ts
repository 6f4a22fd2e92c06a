// Plans and their entitlements (docs/BILLING.md): the one table the API enforces, the web app shows and
// operators edit. Firestore `plans/{planId}` documents override these defaults field by field, so an
// operator can change a limit without a deploy; a plan id nobody knows falls back to `free`.

import type { AlertChannel } from './alerts.ts';
import type { HistoryResolution } from './history.ts';

export const PLAN_IDS = ['free', 'pro', 'business'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export type SupportPriority = 'standard' | 'priority' | 'dedicated';

export interface Entitlements {
  /** Devices a customer may own at once. */
  devices: number;
  /** People a device may be shared with (owner not counted). */
  sharedUsersPerDevice: number;
  /** Hour documents (per-minute points) kept this many days. */
  historyDetailDays: number;
  /** Day summaries kept this many days. */
  historySummaryDays: number;
  /** The finest history resolution the API answers. */
  historyFinest: HistoryResolution;
  alertRulesPerDevice: number;
  /** Channels beyond the in-app notification centre, which every plan has. */
  alertChannels: AlertChannel[];
  /** Alert webhook endpoints per customer. */
  webhooksPerUser: number;
  /** Integration API keys may be created. */
  apiAccess: boolean;
  /** Requests per minute per customer made with API keys. */
  apiRequestsPerMinute: number;
  /** Event webhooks (device.*, command.*, alert.*) may be subscribed. */
  eventWebhooks: boolean;
  /** An organisation with members and organisation API keys over the owner's devices (docs/API.md). */
  organisationKeys: boolean;
  supportPriority: SupportPriority;
}

export interface Plan {
  id: PlanId;
  name: { th: string; en: string };
  /** Monthly price in Thai baht, VAT included; 0 for Free. */
  priceThbMonthly: number;
  entitlements: Entitlements;
}

export const DEFAULT_PLANS: Record<PlanId, Plan> = {
  free: {
    id: 'free',
    name: { th: 'ฟรี', en: 'Free' },
    priceThbMonthly: 0,
    entitlements: {
      devices: 5,
      sharedUsersPerDevice: 2,
      historyDetailDays: 7,
      historySummaryDays: 90,
      historyFinest: 'raw',
      alertRulesPerDevice: 3,
      alertChannels: ['email'],
      webhooksPerUser: 0,
      apiAccess: false,
      apiRequestsPerMinute: 0,
      eventWebhooks: false,
      organisationKeys: false,
      supportPriority: 'standard',
    },
  },
  pro: {
    id: 'pro',
    name: { th: 'โปร', en: 'Pro' },
    priceThbMonthly: 199,
    entitlements: {
      devices: 50,
      sharedUsersPerDevice: 10,
      historyDetailDays: 30,
      historySummaryDays: 365,
      historyFinest: 'raw',
      alertRulesPerDevice: 20,
      alertChannels: ['email', 'webhook'],
      webhooksPerUser: 5,
      apiAccess: true,
      apiRequestsPerMinute: 60,
      eventWebhooks: true,
      organisationKeys: false,
      supportPriority: 'priority',
    },
  },
  business: {
    id: 'business',
    name: { th: 'ธุรกิจ', en: 'Business' },
    priceThbMonthly: 1990,
    entitlements: {
      devices: 1000,
      sharedUsersPerDevice: 50,
      historyDetailDays: 90,
      historySummaryDays: 730,
      historyFinest: 'raw',
      alertRulesPerDevice: 50,
      alertChannels: ['email', 'webhook'],
      webhooksPerUser: 20,
      apiAccess: true,
      apiRequestsPerMinute: 600,
      eventWebhooks: true,
      organisationKeys: true,
      supportPriority: 'dedicated',
    },
  },
};

export const DEFAULT_PLAN_ID: PlanId = 'free';

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === 'string' && (PLAN_IDS as readonly string[]).includes(value);
}

/** The cheapest plan whose entitlement `limit` allows `needed` (a number, or `true` for a feature). */
export function planThatLifts(
  limit: keyof Entitlements,
  needed: number | boolean | string,
  plans: Record<PlanId, Plan> = DEFAULT_PLANS,
): PlanId | null {
  for (const id of PLAN_IDS) {
    const allowed = plans[id].entitlements[limit];
    if (typeof allowed === 'number' && typeof needed === 'number' && allowed >= needed) return id;
    if (typeof allowed === 'boolean' && allowed === needed) return id;
    if (Array.isArray(allowed) && typeof needed === 'string' && (allowed as string[]).includes(needed))
      return id;
  }
  return null;
}

/**
 * A plan with an operator's Firestore `plans/{id}` document laid over it field by field; a field of the wrong
 * type is ignored. The functions and the bridge both read the plan table through this.
 */
export function planWithOverrides(base: Plan, override: Record<string, unknown> | undefined): Plan {
  if (!override) return base;
  const entitlements = { ...base.entitlements };
  const overrideEntitlements = (override.entitlements ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(entitlements) as (keyof Entitlements)[]) {
    const value = overrideEntitlements[key];
    if (value !== undefined && typeof value === typeof base.entitlements[key]) {
      (entitlements as Record<string, unknown>)[key] = value;
    }
  }
  return {
    ...base,
    name: (override.name as Plan['name']) ?? base.name,
    priceThbMonthly:
      typeof override.priceThbMonthly === 'number' ? override.priceThbMonthly : base.priceThbMonthly,
    entitlements,
  };
}

/** The two kinds of webhook call: an alert episode's (alert channel) and a subscribed platform event's. */
export type WebhookKind = 'alert' | 'event';

/** Whether a plan lets a webhook call of this kind go out (checked again at delivery, so a downgrade holds). */
export const webhookKindAllowed = (entitlements: Entitlements, kind: WebhookKind): boolean =>
  kind === 'alert' ? entitlements.alertChannels.includes('webhook') : entitlements.eventWebhooks;

/** Error code of every refusal caused by the customer's plan (HTTP 403). */
export const PLAN_LIMIT_ERROR = 'plan_limit';

/** `details` of a `plan_limit` error: which limit, what the plan allows, and the plan that lifts it. */
export interface PlanLimitDetails {
  limit: keyof Entitlements;
  allowed: number | boolean | string[] | string;
  plan: PlanId;
  upgradeTo: PlanId | null;
}
