import { ALERT_CHANNELS, HISTORY_RESOLUTIONS, PLAN_IDS } from '@esp32cloud/protocol';
import { z } from 'zod';

// An operator's edit of one plan (PUT /api/admin/plans/{id}): any subset of the entitlements, the price and
// the names. Fields left out keep their current value; the defaults in packages/protocol stay underneath.

const count = z.number().int().min(0).max(1_000_000);

export const planEditSchema = z.strictObject({
  name: z
    .strictObject({ th: z.string().trim().min(1).max(40), en: z.string().trim().min(1).max(40) })
    .optional(),
  priceThbMonthly: z.number().min(0).max(1_000_000).optional(),
  entitlements: z
    .strictObject({
      devices: count.optional(),
      sharedUsersPerDevice: count.optional(),
      historyDetailDays: z.number().int().min(1).max(3660).optional(),
      historySummaryDays: z.number().int().min(1).max(3660).optional(),
      historyFinest: z.enum(HISTORY_RESOLUTIONS).optional(),
      alertRulesPerDevice: count.optional(),
      alertChannels: z.array(z.enum(ALERT_CHANNELS)).max(ALERT_CHANNELS.length).optional(),
      webhooksPerUser: count.optional(),
      apiAccess: z.boolean().optional(),
      apiRequestsPerMinute: count.optional(),
      eventWebhooks: z.boolean().optional(),
      organisationKeys: z.boolean().optional(),
      supportPriority: z.enum(['standard', 'priority', 'dedicated']).optional(),
    })
    .optional(),
});

export const customerPlanSchema = z.strictObject({ plan: z.enum(PLAN_IDS) });

export const usageQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional(),
});
