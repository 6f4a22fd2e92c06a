import { z } from 'zod';
import type { Entitlements, Plan, PlanId } from './plans.ts';

// The Account page's and the billing routes' shapes (docs/BILLING.md). Stripe's objects never reach the
// client: the API keeps what the page needs (status, invoices) on billing_accounts/{uid}, which no rule opens.

/** Where a customer's subscription stands; `none` without any (Free, or a plan an operator set). */
export const BILLING_STATUSES = [
  'none',
  'active',
  'trialing',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
] as const;
export type BillingStatus = (typeof BILLING_STATUSES)[number];

export interface InvoiceSummary {
  id: string;
  number: string | null;
  /** Smallest currency unit (satang for THB), as Stripe counts. */
  amount: number;
  currency: string;
  status: 'paid' | 'open' | 'failed';
  created_at: string;
  url: string | null;
}

export interface UsageFigures {
  month: string;
  devices: number;
  messages: number;
  api_calls: number;
}

export interface AccountResponse {
  plan: PlanId;
  plan_name: Plan['name'];
  entitlements: Entitlements;
  usage: UsageFigures;
  /** Devices beyond the plan's limit (claimed last): read-only until released or upgraded. */
  read_only_devices: number;
  billing: {
    enabled: boolean;
    status: BillingStatus;
    /** Where the paid period ends (renewal or end after a cancellation), ISO 8601. */
    current_period_end: string | null;
    cancel_at_period_end: boolean;
    invoices: InvoiceSummary[];
  };
}

export interface PlansResponse {
  plans: Plan[];
  billing_enabled: boolean;
}

export const checkoutBodySchema = z.object({ plan: z.enum(['pro', 'business']) });
export type CheckoutBody = z.infer<typeof checkoutBodySchema>;

export interface BillingSessionResponse {
  url: string;
}

/** Error code of every billing route when the deployment runs without Stripe (HTTP 503). */
export const BILLING_DISABLED_ERROR = 'billing_disabled';
