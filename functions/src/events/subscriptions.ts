import type { WebhookEvent, WebhookResponse } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { ownWebhook, planHold, webhookView } from '../alerts/webhooks.ts';
import { requirePlanFeature } from '../apikeys/plan-feature.ts';
import { customerPlan, planTable } from '../plans/entitlements.ts';

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
  const updated = { ...doc, events: unique };
  const [customer, table] = await Promise.all([customerPlan(db, uid), planTable(db)]);
  return webhookView(updated, planHold(updated, customer, table));
}
