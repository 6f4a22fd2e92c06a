import { isPlanId, PLAN_IDS, type PlansResponse } from '@esp32cloud/protocol';
import { accountView } from '../billing/account-view.ts';
import { billingEnabled } from '../billing/stripe-client.ts';
import { db } from '../firebase.ts';
import { notFound } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { planTable } from '../plans/entitlements.ts';
import { editPlan, setCustomerPlan } from '../plans/operator.ts';
import { customerPlanSchema, planEditSchema, usageQuerySchema } from '../plans/validation.ts';

// GET /api/plans: the plan table for anyone signed in (the Account page, upgrade prompts). Operators edit a
// plan (/api/admin/plans/{id}), set a customer's plan and read any customer's account and usage.

export function registerPlanRoutes(router: Router): void {
  router.add('GET', '/plans', {
    auth: 'required',
    handler: async () => {
      const table = await planTable(db);
      const body: PlansResponse = {
        plans: PLAN_IDS.map((id) => table[id]),
        billing_enabled: billingEnabled(),
      };
      return { body };
    },
  });

  router.add('PUT', '/admin/plans/:planId', {
    auth: 'required',
    operatorOnly: true,
    body: planEditSchema,
    handler: async ({ params, body, caller }) => {
      if (!isPlanId(params.planId)) throw notFound(`No plan ${params.planId}.`);
      const plan = await editPlan(db, params.planId, body, caller!.uid);
      logs.planEdited(params.planId, caller!.uid);
      return { body: plan };
    },
  });

  router.add('PUT', '/admin/customers/:uid/plan', {
    auth: 'required',
    operatorOnly: true,
    body: customerPlanSchema,
    handler: async ({ params, body, caller }) => {
      if (params.uid.includes('/') || params.uid.length > 128) throw notFound(`No customer ${params.uid}.`);
      await setCustomerPlan(db, params.uid, body.plan, caller!.uid);
      logs.customerPlanSet(params.uid, body.plan, caller!.uid);
      return { body: await accountView(db, params.uid) };
    },
  });

  router.add('GET', '/admin/customers/:uid/account', {
    auth: 'required',
    operatorOnly: true,
    query: usageQuerySchema,
    handler: async ({ params, query }) => {
      if (params.uid.includes('/') || params.uid.length > 128) throw notFound(`No customer ${params.uid}.`);
      return {
        body: await accountView(db, params.uid, query.month),
        headers: { 'cache-control': 'no-store' },
      };
    },
  });
}
