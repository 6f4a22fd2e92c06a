import { createApiKeyBodySchema, type PlanId } from '@esp32cloud/protocol';
import { createApiKey, listApiKeys, revokeApiKey } from '../apikeys/keys.ts';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';
import { db } from '../firebase.ts';
import { forbidden } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { customerPlan } from '../plans/entitlements.ts';

// /api/users/{uid}/api-keys: a customer's integration API keys (docs/API.md). Managed with a signed-in
// session only (an API key cannot mint or revoke keys), and created only on a plan with apiAccess.

const noStore = { 'cache-control': 'no-store' };

function requireSelf(callerUid: string, uid: string): void {
  if (callerUid !== uid) throw forbidden('You can only manage your own API keys.');
}

export function registerApiKeyRoutes(router: Router): void {
  router.add('GET', '/users/:uid/api-keys', {
    auth: 'required',
    idTokenOnly: true,
    summary: "List the caller's API keys (never the keys themselves)",
    handler: async ({ params, caller }) => {
      requireSelf(caller!.uid, params.uid);
      const { plan } = await customerPlan(db, params.uid);
      return {
        body: { keys: await listApiKeys(db, { kind: 'personal', uid: params.uid }), plan: plan.id as PlanId },
        headers: noStore,
      };
    },
  });

  router.add('POST', '/users/:uid/api-keys', {
    auth: 'required',
    idTokenOnly: true,
    checkRevoked: true,
    body: createApiKeyBodySchema,
    summary: 'Create an API key; the reply is the only time the key is shown',
    handler: async ({ params, caller, body }) => {
      requireSelf(caller!.uid, params.uid);
      await requirePlanFeature(db, params.uid, 'apiAccess', 'API access; upgrade to create API keys');
      const created = await createApiKey(db, { kind: 'personal', uid: params.uid }, body);
      logs.apiKeyChanged(params.uid, created.key_id, 'created');
      return { status: 201, body: created, headers: noStore };
    },
  });

  router.add('DELETE', '/users/:uid/api-keys/:keyId', {
    auth: 'required',
    idTokenOnly: true,
    summary: 'Revoke an API key at once (it stays listed as revoked)',
    handler: async ({ params, caller }) => {
      requireSelf(caller!.uid, params.uid);
      const revoked = await revokeApiKey(db, { kind: 'personal', uid: params.uid }, params.keyId);
      logs.apiKeyChanged(params.uid, revoked.key_id, 'revoked');
      return { body: revoked, headers: noStore };
    },
  });
}
