import { randomUUID } from 'node:crypto';
import {
  type AlertWebhookBody,
  COLLECTIONS,
  type EventWebhookBody,
  firestorePaths,
  webhookKindAllowed,
} from '@esp32cloud/protocol';
import { deliverWebhook } from '@esp32cloud/webhooks';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import type { DocumentReference } from 'firebase-admin/firestore';
import { customerPlans } from '../alerts/customer-plan.ts';
import { trimDeliveryLog } from '../alerts/delivery-log.ts';
import { emailSender } from '../alerts/email.ts';
import { emailRetry } from '../alerts/email-retry.ts';
import type { OutboxItem } from '../alerts/outbox-item.ts';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { bridgeLogs } from '../logs.ts';

// Alert delivery: the email and webhook calls alert episodes owe (alert_outbox), sent by the bridge process.
// Why here and not in a function: delivery needs a long-lived process for retries with backoff and for
// holding items until quiet hours end, and the bridge already is one, with Firestore credentials and several
// instances for availability. Items are claimed with a lease in a transaction, so each is sent by one
// instance, and a crash mid-send is retried by another once the lease runs out. The in-app entry needs no
// delivery: the episode's transaction wrote it.

interface WebhookDoc {
  url: string;
  secret: string;
  enabled: boolean;
  owner_uid: string;
  consecutive_failures?: number;
}

export function alertDelivery(ctx: BridgeContext): BridgeFeature {
  const { db } = ctx;
  const config = ctx.config.alerts;
  const mail = emailSender(db, config);
  const planOf = customerPlans(db, () => ctx.now());
  const pending = new Map<string, OutboxItem>();
  const running = new Set<Promise<void>>();
  let unsubscribe: (() => void) | null = null;
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;
  // The account's address when the user never saved settings (Auth emulator locally, Firebase Auth live).
  let authApp: App | null = null;
  const accountEmail = async (uid: string): Promise<string | null> => {
    authApp ??= initializeApp({ projectId: ctx.config.projectId }, `bridge-auth-${randomUUID()}`);
    return getAuth(authApp)
      .getUser(uid)
      .then(
        (user) => user.email ?? null,
        () => null,
      );
  };

  const claim = async (ref: DocumentReference): Promise<OutboxItem | null> =>
    db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const item = snap.data() as OutboxItem;
      const now = ctx.now();
      if (item.state === 'sending' && item.lease_until > now) return null;
      if (item.state !== 'pending' && item.state !== 'sending') return null;
      if (item.deliver_after > now) return null;
      tx.update(ref, {
        state: 'sending',
        lease_until: now + config.outboxLeaseMs,
        attempts: item.attempts + 1,
      });
      return item;
    });

  const finish = (ref: DocumentReference, state: OutboxItem['state'], error: string | null) =>
    ref.update({ state, error, finished_at: ctx.now(), lease_until: 0 });

  const sendEmail = async (ref: DocumentReference, item: OutboxItem) => {
    if (!mail) return finish(ref, 'skipped', 'no SMTP server configured');
    const address = item.email ?? (await accountEmail(item.uid));
    if (!address) return finish(ref, 'skipped', 'the account has no email address');
    try {
      await mail.send(item, address);
      bridgeLogs.alertDelivered('email', item.alert_id, item.uid);
      await finish(ref, 'delivered', null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bridgeLogs.alertDeliveryFailed('email', item.alert_id, message);
      const next = emailRetry(config.emailRetry, item.attempts + 1, ctx.now());
      if (next.retry)
        await ref.update({ state: 'pending', error: message, deliver_after: next.deliverAfter });
      else await finish(ref, 'failed', `gave up after ${item.attempts + 1} attempts: ${message}`);
    }
  };

  // Every delivery (sent, failed or held) is logged on its endpoint; the log keeps its newest entries.
  const recordDelivery = async (webhookId: string, deliveryId: string, entry: Record<string, unknown>) => {
    await db.doc(`${firestorePaths.webhookDeliveries(webhookId)}/${deliveryId}`).set(entry);
    // A trim that fails is retried by the next delivery; it never fails this one.
    await trimDeliveryLog(db, webhookId, config.webhookDeliveryLogKeep).catch(() => undefined);
  };

  const sendWebhook = async (ref: DocumentReference, item: OutboxItem) => {
    const hookRef = db.doc(firestorePaths.webhook(item.webhook_id ?? '-'));
    const hookSnap = await hookRef.get();
    const hook = hookSnap.data() as WebhookDoc | undefined;
    if (!hook || hook.owner_uid !== item.uid) return finish(ref, 'skipped', 'webhook deleted');
    if (!hook.enabled) return finish(ref, 'skipped', 'webhook disabled');
    // After a downgrade the call is held (not sent, not a failure), the endpoint and its settings stay, and
    // the delivery log says why; an upgrade sends the next calls again.
    const kind = item.payload ? 'event' : 'alert';
    const plan = await planOf(item.uid);
    if (!webhookKindAllowed(plan.entitlements, kind)) {
      bridgeLogs.webhookHeldByPlan(item.webhook_id ?? '-', item.uid, plan.id, item.event);
      const held = `Not sent: the ${plan.name.en} plan has no ${kind} webhooks. Upgrade to send them again.`;
      await recordDelivery(item.webhook_id ?? '-', item.item_id, {
        delivery_id: item.item_id,
        event: item.event,
        alert_id: item.alert_id,
        ok: false,
        status: null,
        attempts: 0,
        error: held,
        held_by_plan: true,
        at: new Date(ctx.now()).toISOString(),
      });
      return finish(ref, 'skipped', held);
    }
    // An event webhook item carries its body; an alert item's body is built from the episode's facts (the
    // support portal queues email only).
    const body: AlertWebhookBody | EventWebhookBody = item.payload ?? {
      event: item.event as AlertWebhookBody['event'],
      alert_id: item.alert_id,
      occurred_at: item.event === 'alert.fired' ? item.fired_at : new Date(ctx.now()).toISOString(),
      alert: item.facts,
    };
    const result = await deliverWebhook(
      { url: hook.url, secret: hook.secret },
      {
        event: item.event,
        body,
        deliveryId: item.item_id,
        policy: {
          attempts: config.webhookAttempts,
          initialDelayMs: config.webhookInitialDelayMs,
          maxDelayMs: config.webhookMaxDelayMs,
          timeoutMs: config.webhookTimeoutMs,
        },
      },
    );
    const at = new Date(ctx.now()).toISOString();
    await recordDelivery(item.webhook_id ?? '-', result.deliveryId, {
      delivery_id: result.deliveryId,
      event: item.event,
      alert_id: item.alert_id,
      ok: result.ok,
      status: result.status,
      attempts: result.attempts.length,
      error: result.error,
      at,
    });
    await db.runTransaction(async (tx) => {
      const fresh = await tx.get(hookRef);
      if (!fresh.exists) return;
      if (result.ok) {
        tx.update(hookRef, { consecutive_failures: 0 });
        return;
      }
      const failures = ((fresh.get('consecutive_failures') as number | undefined) ?? 0) + 1;
      const disable = failures >= config.webhookDisableAfter;
      tx.update(hookRef, {
        consecutive_failures: failures,
        ...(disable
          ? {
              enabled: false,
              disabled_reason: `${failures} deliveries in a row failed (last: ${result.error})`,
            }
          : {}),
      });
      if (disable) bridgeLogs.webhookDisabled(item.webhook_id ?? '-', failures);
    });
    if (result.ok) bridgeLogs.alertDelivered('webhook', item.alert_id, item.uid);
    else bridgeLogs.alertDeliveryFailed('webhook', item.alert_id, result.error ?? 'failed');
    await finish(ref, result.ok ? 'delivered' : 'failed', result.error);
  };

  const process = (itemId: string) => {
    if (stopped) return;
    const ref = db.doc(firestorePaths.outboxItem(itemId));
    const task = (async () => {
      const item = await claim(ref);
      if (!item) return;
      pending.delete(itemId);
      if (item.channel === 'email') await sendEmail(ref, item);
      else await sendWebhook(ref, item);
    })().catch((error) => bridgeLogs.alertDeliveryFailed('outbox', itemId, String(error)));
    running.add(task);
    void task.finally(() => running.delete(task));
  };

  const sweep = () => {
    const now = ctx.now();
    for (const item of pending.values()) {
      if (item.deliver_after <= now && !(item.state === 'sending' && item.lease_until > now))
        process(item.item_id);
    }
  };

  return {
    start() {
      unsubscribe = db
        .collection(COLLECTIONS.alertOutbox)
        .where('state', 'in', ['pending', 'sending'])
        .onSnapshot(
          (snapshot) => {
            for (const change of snapshot.docChanges()) {
              const item = change.doc.data() as OutboxItem;
              if (change.type === 'removed') {
                pending.delete(item.item_id);
                continue;
              }
              pending.set(item.item_id, item);
              if (item.state === 'pending' && item.deliver_after <= ctx.now()) process(item.item_id);
            }
          },
          (error) => bridgeLogs.alertRulesListenerFailed(error),
        );
      poll = setInterval(sweep, config.outboxPollMs);
      poll.unref?.();
    },
    stop() {
      stopped = true;
      unsubscribe?.();
      clearInterval(poll);
    },
    async flush() {
      while (running.size > 0) await Promise.allSettled([...running]);
      mail?.close();
      if (authApp) await deleteApp(authApp).catch(() => undefined);
      authApp = null;
    },
  };
}
