import { adminSearchQuerySchema, auditQuerySchema, timelineQuerySchema } from '@esp32cloud/protocol';
import { z } from 'zod';
import { config } from '../config.ts';
import { auth, db } from '../firebase.ts';
import type { Router } from '../http/router.ts';
import { runSupportAction } from '../support/actions.ts';
import { listAudit } from '../support/audit.ts';
import { customerView } from '../support/customer.ts';
import { adminDeviceView } from '../support/device-view.ts';
import { supportMetrics } from '../support/metrics.ts';
import { searchDevices } from '../support/search.ts';
import { deviceTimeline } from '../support/timeline.ts';
import { parseAction } from '../support/validation.ts';

// /api/admin/**: the operator console (docs/SUPPORT.md). Every route needs the operator custom claim and a
// session that was not revoked (operatorOnly); the work lives in ../support.

const noStore = { 'cache-control': 'no-store' };

export function registerSupportAdminRoutes(router: Router): void {
  router.add('GET', '/admin/devices', {
    auth: 'required',
    operatorOnly: true,
    query: adminSearchQuerySchema,
    handler: async ({ query }) => ({
      body: await searchDevices(db, auth, query.query, config.support.searchLimit),
      headers: noStore,
    }),
  });

  router.add('GET', '/admin/devices/:deviceId', {
    auth: 'required',
    operatorOnly: true,
    handler: async ({ params }) => ({
      body: await adminDeviceView(db, auth, params.deviceId),
      headers: noStore,
    }),
  });

  router.add('GET', '/admin/devices/:deviceId/timeline', {
    auth: 'required',
    operatorOnly: true,
    query: timelineQuerySchema,
    handler: async ({ params, query }) => ({
      body: await deviceTimeline(db, params.deviceId, query.before, query.limit),
      headers: noStore,
    }),
  });

  router.add('POST', '/admin/devices/:deviceId/actions/:action', {
    auth: 'required',
    operatorOnly: true,
    // Each action has its own strict schema (protocol support.ts), checked once the action is known.
    body: z.looseObject({}),
    handler: async ({ params, caller, body }) => {
      const action = parseAction(params.action);
      const reply = await runSupportAction(db, auth, caller!, params.deviceId, action, body);
      return { body: reply, headers: noStore };
    },
  });

  router.add('GET', '/admin/audit', {
    auth: 'required',
    operatorOnly: true,
    query: auditQuerySchema,
    handler: async ({ query }) => ({ body: { entries: await listAudit(db, query) }, headers: noStore }),
  });

  router.add('GET', '/admin/customers/:uid', {
    auth: 'required',
    operatorOnly: true,
    handler: async ({ params }) => ({ body: await customerView(db, auth, params.uid), headers: noStore }),
  });

  router.add('GET', '/admin/metrics', {
    auth: 'required',
    operatorOnly: true,
    handler: async () => ({
      body: await supportMetrics(db, config.support.metricsTicketScan),
      headers: noStore,
    }),
  });
}
