import {
  COLLECTIONS,
  type EventWebhookBody,
  firestorePaths,
  type WebhookEvent,
  webhookKindAllowed,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { logs } from '../logs.ts';
import { customerPlan } from '../plans/entitlements.ts';
import type { DetectedEvent } from './detect.ts';

// Event webhooks go out through the alert system's delivery path: one alert_outbox item per subscribed
// endpoint, which the bridge's alert-delivery feature signs, sends with retries and logs in the endpoint's
// delivery log (bridge/src/features/alert-delivery.ts). The item carries the event body as `payload`.
// Nothing is written unless an endpoint subscribed to the event and the plan has eventWebhooks.

interface SubscribedWebhook {
  webhook_id: string;
  enabled: boolean;
  events?: WebhookEvent[];
}

export interface EventSource {
  /** Unique per trigger event; with the endpoint id it names the outbox item, so a retried trigger
   * (at-least-once) queues nothing twice. */
  sourceId: string;
  deviceId: string;
  occurredAt: string;
  /** Endpoints the alert system already tells about this alert episode (no second call to them). */
  skipWebhookIds?: string[];
}

/** The device's current owner, for events that do not name the customer. */
async function ownerOf(db: Firestore, deviceId: string): Promise<string | null> {
  const snap = await db.doc(firestorePaths.device(deviceId)).get();
  const owner = snap.get('owner_uid');
  return typeof owner === 'string' && owner !== '' ? owner : null;
}

/** Queues the events' deliveries; returns how many outbox items were written. */
export async function queueEventWebhooks(
  db: Firestore,
  source: EventSource,
  events: DetectedEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const needsOwner = events.some((e) => e.uid === null);
  const owner = needsOwner ? await ownerOf(db, source.deviceId) : null;
  let queued = 0;
  for (const [index, detected] of events.entries()) {
    const uid = detected.uid ?? owner;
    if (!uid) continue;
    const hooks = (await db.collection(COLLECTIONS.webhooks).where('owner_uid', '==', uid).get()).docs
      .map((d) => d.data() as SubscribedWebhook)
      .filter(
        (hook) =>
          hook.enabled &&
          hook.events?.includes(detected.event) &&
          !source.skipWebhookIds?.includes(hook.webhook_id),
      );
    if (hooks.length === 0) continue;
    // Held after a downgrade: the subscriptions stay, nothing is queued, the endpoint shows a notice.
    const { plan, entitlements } = await customerPlan(db, uid);
    if (!webhookKindAllowed(entitlements, 'event')) {
      logs.eventWebhooksHeldByPlan(uid, detected.event, plan.id, hooks.length);
      continue;
    }
    const eventId = `evt_${source.sourceId}_${index}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 200);
    const payload: EventWebhookBody = {
      event: detected.event,
      event_id: eventId,
      occurred_at: source.occurredAt,
      device_id: source.deviceId,
      data: detected.data,
    };
    const nowMs = Date.now();
    const results = await Promise.all(
      hooks.map((hook) => {
        const itemId = `${eventId}_${hook.webhook_id}`.slice(0, 400);
        return db
          .doc(firestorePaths.outboxItem(itemId))
          .create({
            item_id: itemId,
            channel: 'webhook',
            event: detected.event,
            uid,
            alert_id: typeof detected.data.alert_id === 'string' ? detected.data.alert_id : null,
            fired_at: source.occurredAt,
            webhook_id: hook.webhook_id,
            payload,
            deliver_after: nowMs,
            state: 'pending',
            attempts: 0,
            lease_until: 0,
            created_at: nowMs,
          })
          .then(
            () => 1,
            (error: { code?: number }) => {
              if (error.code === 6) return 0; // ALREADY_EXISTS: this trigger event ran before
              throw error;
            },
          );
      }),
    );
    queued += results.reduce((a: number, b: number) => a + b, 0);
  }
  return queued;
}
