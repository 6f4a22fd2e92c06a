import { webhookEventsBodySchema } from '@esp32cloud/protocol';
import { setWebhookEvents } from '../events/subscriptions.ts';
import { db } from '../firebase.ts';
import { forbidden } from '../http/errors.ts';
import type { Router } from '../http/router.ts';

// PUT /api/users/{uid}/webhooks/{webhookId}/events: which platform events an endpoint receives (docs/API.md).
// Endpoints themselves are created, listed, tested and deleted with the alert webhook routes.

export function registerEventWebhookRoutes(router: Router): void {
  router.add('PUT', '/users/:uid/webhooks/:webhookId/events', {
    auth: 'required',
    body: webhookEventsBodySchema,
    summary: 'Subscribe a webhook endpoint to platform events (replaces its list; [] unsubscribes)',
    handler: async ({ params, caller, body }) => {
      if (caller!.uid !== params.uid) throw forbidden('You can only change your own webhooks.');
      return { body: await setWebhookEvents(db, params.uid, params.webhookId, body.events) };
    },
  });
}
