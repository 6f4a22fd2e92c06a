import {
  type AlertWebhookBody,
  COLLECTIONS,
  firestorePaths,
  PLAN_IDS,
  type Plan,
  type PlanId,
  type WebhookDeliveryResponse,
  type WebhookEvent,
  type WebhookPlanHold,
  type WebhookResponse,
  webhookKindAllowed,
} from '@esp32cloud/protocol';
import { deliverWebhook, newWebhookSecret } from '@esp32cloud/webhooks';
import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { notFound } from '../http/errors.ts';
import { webhookAllowance } from '../plans/enforce.ts';
import { type CustomerPlan, customerPlan, planTable } from '../plans/entitlements.ts';

// A user's webhook endpoints. The signing secret is stored server-side only (webhooks/ has no client rule)
// and shown once, in the create reply. "Send test" makes one signed call now and logs it like any delivery.

export interface WebhookDoc {
  webhook_id: string;
  owner_uid: string;
  url: string;
  description: string | null;
  secret: string;
  enabled: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: string;
  /** Platform events the endpoint is subscribed to (event webhooks, docs/API.md); absent: none. */
  events?: WebhookEvent[];
}

export const webhookView = (doc: WebhookDoc, hold: WebhookPlanHold | null = null): WebhookResponse => ({
  webhook_id: doc.webhook_id,
  url: doc.url,
  description: doc.description,
  enabled: doc.enabled,
  consecutive_failures: doc.consecutive_failures,
  disabled_reason: doc.disabled_reason,
  created_at: doc.created_at,
  events: doc.events ?? [],
  held_by_plan: hold,
});

/**
 * What the customer's current plan holds back of one endpoint (after a downgrade): alert calls without the
 * webhook alert channel, event calls without eventWebhooks. The bridge skips those calls at delivery
 * (bridge/src/features/alert-delivery.ts); this is the notice the web app shows on the endpoint.
 */
export function planHold(
  doc: WebhookDoc,
  { plan, entitlements }: CustomerPlan,
  table: Record<PlanId, Plan>,
): WebhookPlanHold | null {
  const alerts = !webhookKindAllowed(entitlements, 'alert');
  const events = (doc.events ?? []).length > 0 && !webhookKindAllowed(entitlements, 'event');
  if (!alerts && !events) return null;
  const upgradeTo =
    PLAN_IDS.find(
      (id) =>
        (!alerts || webhookKindAllowed(table[id].entitlements, 'alert')) &&
        (!events || webhookKindAllowed(table[id].entitlements, 'event')),
    ) ?? null;
  return { alerts, events, plan: plan.id, upgradeTo };
}

const webhooksOf = (db: Firestore, uid: string) =>
  db.collection(COLLECTIONS.webhooks).where('owner_uid', '==', uid);

export async function listWebhooks(db: Firestore, uid: string): Promise<WebhookResponse[]> {
  const [snap, customer, table] = await Promise.all([
    webhooksOf(db, uid).get(),
    customerPlan(db, uid),
    planTable(db),
  ]);
  return snap.docs
    .map((d) => d.data() as WebhookDoc)
    .map((doc) => webhookView(doc, planHold(doc, customer, table)))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function createWebhook(
  db: Firestore,
  uid: string,
  url: string,
  description: string | undefined,
): Promise<WebhookDoc> {
  const ref = db.collection(COLLECTIONS.webhooks).doc();
  const doc: WebhookDoc = {
    webhook_id: ref.id,
    owner_uid: uid,
    url,
    description: description ?? null,
    secret: newWebhookSecret(),
    enabled: true,
    consecutive_failures: 0,
    disabled_reason: null,
    created_at: new Date().toISOString(),
  };
  const allowance = await webhookAllowance(db, uid);
  await db.runTransaction(async (tx) => {
    const existing = await tx.get(webhooksOf(db, uid));
    if (existing.size >= allowance.allowed) throw allowance.refuse(existing.size);
    tx.create(ref, doc);
  });
  return doc;
}

export async function ownWebhook(db: Firestore, uid: string, webhookId: string) {
  if (webhookId.includes('/') || webhookId.length > 128) throw notFound(`No webhook ${webhookId}.`);
  const ref = db.doc(firestorePaths.webhook(webhookId));
  const snap = await ref.get();
  if (!snap.exists || snap.get('owner_uid') !== uid) throw notFound(`No webhook ${webhookId}.`);
  return { ref, doc: snap.data() as WebhookDoc };
}

export async function deleteWebhook(db: Firestore, uid: string, webhookId: string): Promise<void> {
  const { ref } = await ownWebhook(db, uid, webhookId);
  const log = db.collection(firestorePaths.webhookDeliveries(webhookId));
  // The delivery log goes with its endpoint, page by page (bounded: the log is capped by the bridge).
  for (let page = 0; page < 100; page++) {
    const docs = await log.limit(300).get();
    if (docs.empty) break;
    const batch = db.batch();
    for (const doc of docs.docs) batch.delete(doc.ref);
    await batch.commit();
  }
  await ref.delete();
}

export async function listDeliveries(
  db: Firestore,
  uid: string,
  webhookId: string,
): Promise<WebhookDeliveryResponse[]> {
  await ownWebhook(db, uid, webhookId);
  const snap = await db
    .collection(firestorePaths.webhookDeliveries(webhookId))
    .orderBy('at', 'desc')
    .limit(50)
    .get();
  return snap.docs.map((d) => d.data() as WebhookDeliveryResponse);
}

/** One signed test call, sent even to a disabled endpoint; success re-enables it. */
export async function testWebhook(
  db: Firestore,
  uid: string,
  webhookId: string,
): Promise<WebhookDeliveryResponse> {
  const { ref, doc } = await ownWebhook(db, uid, webhookId);
  const body: AlertWebhookBody = {
    event: 'webhook.test',
    alert_id: null,
    occurred_at: new Date().toISOString(),
  };
  const result = await deliverWebhook(
    { url: doc.url, secret: doc.secret },
    { event: body.event, body, policy: { attempts: 1, timeoutMs: config.alerts.webhookTestTimeoutMs } },
  );
  const delivery: WebhookDeliveryResponse = {
    delivery_id: result.deliveryId,
    event: body.event,
    ok: result.ok,
    status: result.status,
    attempts: result.attempts.length,
    error: result.error,
    at: new Date().toISOString(),
  };
  const batch = db.batch();
  batch.set(db.doc(`${firestorePaths.webhookDeliveries(webhookId)}/${result.deliveryId}`), delivery);
  if (result.ok) batch.update(ref, { enabled: true, consecutive_failures: 0, disabled_reason: null });
  await batch.commit();
  return delivery;
}
