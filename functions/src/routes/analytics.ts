import { csvFileName, historyCsv } from '../analytics/csv.ts';
import { fleetAnalytics } from '../analytics/fleet.ts';
import { readHistory } from '../analytics/history.ts';
import { checkHistoryRange, fleetQuerySchema, historyQuerySchema } from '../analytics/validation.ts';
import { loadAccess } from '../devices/access.ts';
import { db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { requireHistoryWindow } from '../plans/enforce.ts';

// /api/devices/{id}/history(.csv): any linked user (owner, controller, viewer) and operators; anyone else
// gets the 404 of a missing device. The owner's plan bounds how far back (plans/enforce.ts); operators are not bounded. /api/admin/analytics: operators. The work lives in ../analytics.

export function registerAnalyticsRoutes(router: Router): void {
  router.add('GET', '/devices/:deviceId/history', {
    auth: 'required',
    query: historyQuerySchema,
    handler: async ({ params, query, caller }) => {
      const range = checkHistoryRange(query, Date.now());
      const access = await loadAccess(db, caller!, params.deviceId);
      await requireHistoryWindow(db, access.link ? access.device.owner_uid : null, range);
      return {
        body: await readHistory(db, params.deviceId, range),
        headers: { 'cache-control': 'private, no-store' },
      };
    },
  });

  router.add('GET', '/devices/:deviceId/history.csv', {
    auth: 'required',
    query: historyQuerySchema,
    handler: async ({ params, query, caller }) => {
      const range = checkHistoryRange(query, Date.now());
      const access = await loadAccess(db, caller!, params.deviceId);
      await requireHistoryWindow(db, access.link ? access.device.owner_uid : null, range);
      const history = await readHistory(db, params.deviceId, range);
      return {
        text: historyCsv(history),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${csvFileName(params.deviceId, history)}"`,
          'cache-control': 'private, no-store',
        },
      };
    },
  });

  router.add('GET', '/admin/analytics', {
    auth: 'required',
    operatorOnly: true,
    query: fleetQuerySchema,
    handler: async ({ query }) => ({ body: await fleetAnalytics(db, query.days) }),
  });
}
