import {
  type AlertRuleResponse,
  createAlertRuleSchema,
  type ListAlertRulesResponse,
  updateAlertRuleSchema,
} from '@esp32cloud/protocol';
import { createRule, deleteRule, listRules, updateRule } from '../alerts/rules.ts';
import { db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';

// /api/devices/{id}/alert-rules/**: linked users read a device's rules; the owner makes and changes them.

export function registerAlertRuleRoutes(router: Router): void {
  router.add('GET', '/devices/:deviceId/alert-rules', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      const body: ListAlertRulesResponse = { rules: await listRules(db, caller!, params.deviceId) };
      return { body, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('POST', '/devices/:deviceId/alert-rules', {
    auth: 'required',
    body: createAlertRuleSchema,
    handler: async ({ params, caller, body }) => {
      const rule: AlertRuleResponse = await createRule(db, caller!, params.deviceId, body);
      logs.alertRuleChanged(params.deviceId, rule.rule_id, caller!.uid, 'created');
      return { status: 201, body: rule };
    },
  });

  router.add('PATCH', '/devices/:deviceId/alert-rules/:ruleId', {
    auth: 'required',
    body: updateAlertRuleSchema,
    handler: async ({ params, caller, body }) => {
      const rule: AlertRuleResponse = await updateRule(db, caller!, params.deviceId, params.ruleId, body);
      logs.alertRuleChanged(params.deviceId, rule.rule_id, caller!.uid, 'updated');
      return { body: rule };
    },
  });

  router.add('DELETE', '/devices/:deviceId/alert-rules/:ruleId', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      await deleteRule(db, caller!, params.deviceId, params.ruleId);
      logs.alertRuleChanged(params.deviceId, params.ruleId, caller!.uid, 'deleted');
      return { status: 204 };
    },
  });
}
