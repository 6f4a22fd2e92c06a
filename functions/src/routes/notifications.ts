import {
  type CreateWebhookResponse,
  createWebhookSchema,
  type ListWebhooksResponse,
  listNotificationsQuerySchema,
  notificationSettingsSchema,
  type TestWebhookResponse,
} from '@esp32cloud/protocol';
import { z } from 'zod';
import {
  listNotifications,
  markRead,
  readSettings,
  requireSelf,
  unsubscribeEmail,
  writeSettings,
} from '../alerts/notifications.ts';
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  testWebhook,
  webhookView,
} from '../alerts/webhooks.ts';
import { config } from '../config.ts';
import { db } from '../firebase.ts';
import { notFound } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';

// /api/users/{uid}/notifications, notification-settings and webhooks: the caller's own only. Plus the
// unsubscribe link of alert emails (no sign-in: the token is the proof).

const noStore = { 'cache-control': 'no-store' };

export function registerNotificationRoutes(router: Router): void {
  const limits = config.alerts.limits;

  router.add('GET', '/users/:uid/notifications', {
    auth: 'required',
    query: listNotificationsQuerySchema,
    handler: async ({ params, caller, query }) => {
      requireSelf(caller!, params.uid);
      const body = await listNotifications(db, params.uid, query.limit, query.unread === 'true');
      return { body, headers: noStore };
    },
  });

  router.add('POST', '/users/:uid/notifications/:notificationId/read', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      return { body: await markRead(db, params.uid, params.notificationId) };
    },
  });

  router.add('GET', '/users/:uid/notification-settings', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      return { body: await readSettings(db, caller!, limits), headers: noStore };
    },
  });

  router.add('PUT', '/users/:uid/notification-settings', {
    auth: 'required',
    body: notificationSettingsSchema,
    handler: async ({ params, caller, body }) => {
      requireSelf(caller!, params.uid);
      return { body: await writeSettings(db, caller!, body, limits) };
    },
  });

  router.add('GET', '/users/:uid/webhooks', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      const body: ListWebhooksResponse = { webhooks: await listWebhooks(db, params.uid) };
      return { body, headers: noStore };
    },
  });

  router.add('POST', '/users/:uid/webhooks', {
    auth: 'required',
    body: createWebhookSchema,
    handler: async ({ params, caller, body }) => {
      requireSelf(caller!, params.uid);
      const doc = await createWebhook(db, params.uid, body.url, body.description);
      logs.webhookChanged(params.uid, doc.webhook_id, 'created');
      const reply: CreateWebhookResponse = { ...webhookView(doc), secret: doc.secret };
      return { status: 201, body: reply, headers: noStore };
    },
  });

  router.add('DELETE', '/users/:uid/webhooks/:webhookId', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      await deleteWebhook(db, params.uid, params.webhookId);
      logs.webhookChanged(params.uid, params.webhookId, 'deleted');
      return { status: 204 };
    },
  });

  router.add('GET', '/users/:uid/webhooks/:webhookId/deliveries', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      return {
        body: { deliveries: await listDeliveries(db, params.uid, params.webhookId) },
        headers: noStore,
      };
    },
  });

  router.add('POST', '/users/:uid/webhooks/:webhookId/test', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid);
      const reply: TestWebhookResponse = { delivery: await testWebhook(db, params.uid, params.webhookId) };
      logs.webhookChanged(params.uid, params.webhookId, reply.delivery.ok ? 'tested_ok' : 'tested_failed');
      return { body: reply };
    },
  });

  router.add('GET', '/notifications/unsubscribe', {
    auth: 'none',
    query: z.object({ token: z.string().min(1).max(200) }),
    handler: async ({ query }) => {
      if (!(await unsubscribeEmail(db, query.token, limits)))
        throw notFound('This unsubscribe link is not valid (any more).');
      return { body: { unsubscribed: true, channel: 'email' }, headers: noStore };
    },
  });
}
