import { type ListSharesResponse, type ShareResponse, shareBodySchema } from '@esp32cloud/protocol';
import { auth, db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { grantShare, listShares, removeShare } from '../sharing/shares.ts';

// /api/devices/{id}/shares/**: the owner lists, grants and removes controller and viewer access. The domain
// work (ownership re-checks, links) lives in ../registry/sharing.ts.

export function registerSharingRoutes(router: Router): void {
  router.add('GET', '/devices/:deviceId/shares', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      const body: ListSharesResponse = { shares: await listShares(db, auth, caller!, params.deviceId) };
      return { body, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('POST', '/devices/:deviceId/shares', {
    auth: 'required',
    checkRevoked: true,
    body: shareBodySchema,
    handler: async ({ params, caller, body }) => {
      const result = await grantShare(db, auth, caller!, params.deviceId, body.email, body.access_level);
      logs.deviceShared(params.deviceId, caller!.uid, result.user_id, result.access_level, result.created);
      const reply: ShareResponse = {
        user_id: result.user_id,
        email: result.email,
        access_level: result.access_level,
      };
      return { status: result.created ? 201 : 200, body: reply };
    },
  });

  router.add('DELETE', '/devices/:deviceId/shares/:uid', {
    auth: 'required',
    checkRevoked: true,
    handler: async ({ params, caller }) => {
      await removeShare(db, caller!, params.deviceId, params.uid);
      logs.deviceUnshared(params.deviceId, caller!.uid, params.uid);
      return { status: 204 };
    },
  });
}
