import { Router } from '../http/router.ts';
import { registerAlertRuleRoutes } from './alert-rules.ts';
import { registerAnalyticsRoutes } from './analytics.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerBillingRoutes } from './billing.ts';
import { registerControlRoutes } from './control.ts';
import { registerDeviceRoutes } from './devices.ts';
import { registerEventWebhookRoutes } from './event-webhooks.ts';
import { registerHealthRoutes } from './health.ts';
import { registerMeRoutes } from './me.ts';
import { registerNotificationRoutes } from './notifications.ts';
import { registerOpenApiRoutes } from './openapi.ts';
import { registerOrganisationRoutes } from './organisations.ts';
import { registerPlanRoutes } from './plans.ts';
import { registerRoomRoutes } from './rooms.ts';
import { registerSharingRoutes } from './sharing.ts';
import { registerSupportAdminRoutes } from './support-admin.ts';
import { registerTicketRoutes } from './tickets.ts';
import { registerTransferRoutes } from './transfers.ts';
import { registerUserRoutes } from './users.ts';

// Every route module of the API, registered once each.
export function createRouter(): Router {
  const router = new Router();
  registerHealthRoutes(router);
  registerMeRoutes(router);
  registerDeviceRoutes(router);
  registerControlRoutes(router);
  registerUserRoutes(router);
  registerSharingRoutes(router);
  registerAlertRuleRoutes(router);
  registerNotificationRoutes(router);
  registerTransferRoutes(router);
  registerAnalyticsRoutes(router);
  registerRoomRoutes(router);
  registerSupportAdminRoutes(router);
  registerTicketRoutes(router);
  registerApiKeyRoutes(router);
  registerOrganisationRoutes(router);
  registerEventWebhookRoutes(router);
  registerOpenApiRoutes(router);
  registerPlanRoutes(router);
  registerBillingRoutes(router);
  return router;
}
