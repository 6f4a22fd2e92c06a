import type { WebhookEvent, WebhookResponse } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { ownWebhook, webhookView } from '../alerts/webhooks.ts';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';

// An event subscription is a list of event names on one of the customer's webhook endpoints (webhooks/{id}
// `events`): the same endpoint, secret, delivery log and failure count as alert webhooks, so there is one
// delivery path. Subscribing needs a plan with eventWebhooks; unsubscribing (an empty list) never does.

export async function setWebhookEvents(
  db: Firestore,
  uid: string,
  webhookId: string,
  events: WebhookEvent[],
): Promise<WebhookResponse> {
  const unique = [...new Set(events)];
  if (unique.length > 0)
    await requirePlanFeature(db, uid, 'eventWebhooks', 'event webhooks; upgrade to subscribe to events');
  const { ref, doc } = await ownWebhook(db, uid, webhookId);
  await ref.update({ events: unique });
  return webhookView({ ...doc, events: unique });
}
