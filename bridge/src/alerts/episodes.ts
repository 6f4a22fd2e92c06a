import { randomUUID } from 'node:crypto';
import {
  type AlertFacts,
  type AlertRuleDoc,
  type AlertStateDoc,
  COLLECTIONS,
  defaultNotificationSettings,
  firestorePaths,
  type NotificationDoc,
  type NotificationSettingsDoc,
  quietHoursEnd,
  usageDayId,
} from '@esp32cloud/protocol';
import { FieldValue, type Firestore, type Transaction } from 'firebase-admin/firestore';
import type { OutboxItem } from './outbox-item.ts';

// An alert episode starts and ends in one Firestore transaction each, so several bridge instances that see
// the same condition fire it once: the transaction reads alert_state/{ruleId}, and only the instance that
// finds it inactive writes the new episode. The same transaction writes everything the episode causes (the
// in-app notifications, the email and webhook outbox items, the daily-cap counters), so a crash loses or
// duplicates nothing. Recipients are read inside it from the device's current links: a viewer removed a
// moment ago gets nothing.

export interface FireInput {
  rule: AlertRuleDoc;
  value?: boolean | number | string;
  now: number;
  /** For output_changed without a target value: fire only when the stored value differs. */
  trackValue?: boolean;
}

interface LinkDoc {
  user_id: string;
  device_id: string;
  access_level: string;
  device_name?: string;
}

interface Recipient {
  uid: string;
  link: LinkDoc;
  settings: NotificationSettingsDoc;
}

export interface AlertDoc extends AlertFacts {
  alert_id: string;
  fired_at: string;
  resolved_at: string | null;
  /** Who got the in-app entry (to mark it resolved). */
  recipients: string[];
  /** Who was over their daily cap and got nothing. */
  capped: string[];
  /** Webhook endpoints told about the episode (they hear about its end too). */
  webhooks: { uid: string; webhook_id: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

async function recipientsOf(db: Firestore, tx: Transaction, rule: AlertRuleDoc): Promise<Recipient[]> {
  const links = await tx.get(db.collection(COLLECTIONS.userDevices).where('device_id', '==', rule.device_id));
  const linkDocs = links.docs.map((d) => d.data() as LinkDoc);
  // A rule belongs to the owner who made it: after a transfer it is silent until the new owner makes rules.
  if (!linkDocs.some((l) => l.access_level === 'owner' && l.user_id === rule.owner_uid)) return [];
  if (linkDocs.length === 0) return [];
  const settingsSnaps = await tx.getAll(
    ...linkDocs.map((l) => db.doc(firestorePaths.notificationSettings(l.user_id))),
  );
  const out: Recipient[] = [];
  linkDocs.forEach((link, i) => {
    const snap = settingsSnaps[i];
    const settings = snap.exists
      ? (snap.data() as NotificationSettingsDoc)
      : { ...defaultNotificationSettings(), email: null, updated_at: '' };
    const subscribed = link.access_level === 'owner' || settings.subscriptions?.[rule.device_id] === true;
    if (subscribed) out.push({ uid: link.user_id, link, settings });
  });
  return out;
}

/** Starts an episode unless one is active. Returns the alert, or null when this call did not fire. */
export async function fireEpisode(db: Firestore, input: FireInput): Promise<AlertDoc | null> {
  const { rule, now } = input;
  const stateRef = db.doc(firestorePaths.alertState(rule.rule_id));
  return db.runTransaction(async (tx) => {
    const stateSnap = await tx.get(stateRef);
    const state = stateSnap.exists ? (stateSnap.data() as AlertStateDoc) : null;
    if (input.trackValue) {
      if (state && state.value === input.value) return null;
    } else if (state?.active) return null;

    const recipients = await recipientsOf(db, tx, rule);
    const day = usageDayId(now);
    const usageRefs = recipients.map((r) => db.doc(firestorePaths.alertUsage(r.uid, day)));
    const usageSnaps = usageRefs.length ? await tx.getAll(...usageRefs) : [];
    const wantsWebhook = recipients.filter((r) => r.settings.channels[rule.severity]?.includes('webhook'));
    const webhookSnaps = await Promise.all(
      wantsWebhook.map((r) =>
        tx.get(
          db.collection(COLLECTIONS.webhooks).where('owner_uid', '==', r.uid).where('enabled', '==', true),
        ),
      ),
    );
    const webhooksOf = new Map(wantsWebhook.map((r, i) => [r.uid, webhookSnaps[i].docs.map((d) => d.id)]));

    const alertId = randomUUID();
    const alert: AlertDoc = {
      alert_id: alertId,
      rule_id: rule.rule_id,
      rule_name: rule.name,
      device_id: rule.device_id,
      device_name:
        recipients.find((r) => r.link.access_level === 'owner')?.link.device_name ?? rule.device_id,
      condition: rule.condition,
      severity: rule.severity,
      ...(input.value !== undefined ? { value: input.value } : {}),
      fired_at: iso(now),
      resolved_at: null,
      recipients: [],
      capped: [],
      webhooks: [],
    };
    recipients.forEach((recipient, i) => {
      const used = (usageSnaps[i].get('count') as number | undefined) ?? 0;
      if (used >= recipient.settings.daily_cap) {
        alert.capped.push(recipient.uid);
        return;
      }
      tx.set(usageRefs[i], { uid: recipient.uid, day, count: FieldValue.increment(1) }, { merge: true });
      const facts: AlertFacts = {
        rule_id: alert.rule_id,
        rule_name: alert.rule_name,
        device_id: alert.device_id,
        device_name: recipient.link.device_name ?? alert.device_name,
        condition: alert.condition,
        severity: alert.severity,
        ...(alert.value !== undefined ? { value: alert.value } : {}),
      };
      const channels = recipient.settings.channels[rule.severity] ?? [];
      // The in-app entry is the record of the alert: written whatever the channels, so history is whole.
      alert.recipients.push(recipient.uid);
      const notification: NotificationDoc = {
        ...facts,
        notification_id: alertId,
        alert_id: alertId,
        fired_at: alert.fired_at,
        resolved_at: null,
        read: !channels.includes('in_app'),
        read_at: null,
      };
      tx.set(db.doc(firestorePaths.notification(recipient.uid, alertId)), notification);
      const deliverAfter = quietHoursEnd(recipient.settings.quiet_hours, now);
      if (channels.includes('email')) {
        queue(db, tx, {
          channel: 'email',
          event: 'alert.fired',
          uid: recipient.uid,
          alert_id: alertId,
          facts,
          fired_at: alert.fired_at,
          language: recipient.settings.language ?? 'th',
          email: recipient.settings.email ?? null,
          deliver_after: deliverAfter,
        });
      }
      for (const webhookId of webhooksOf.get(recipient.uid) ?? []) {
        alert.webhooks.push({ uid: recipient.uid, webhook_id: webhookId });
        queue(db, tx, {
          channel: 'webhook',
          event: 'alert.fired',
          uid: recipient.uid,
          alert_id: alertId,
          facts,
          fired_at: alert.fired_at,
          webhook_id: webhookId,
          deliver_after: deliverAfter,
        });
      }
    });
    tx.set(db.doc(firestorePaths.alert(alertId)), alert);
    const next: AlertStateDoc = {
      rule_id: rule.rule_id,
      device_id: rule.device_id,
      active: !input.trackValue,
      episode_id: alertId,
      ...(input.trackValue ? { value: input.value ?? null } : {}),
      changed_at: iso(now),
    };
    tx.set(stateRef, next);
    return alert;
  });
}

/**
 * Ends the active episode, if any. Returns the resolved alert, or null when nothing was active. `arm` also
 * records an inactive state for a rule that never had one (back_online: "it went offline, so coming back will
 * be news").
 */
export async function resolveEpisode(
  db: Firestore,
  rule: AlertRuleDoc,
  now: number,
  arm = false,
): Promise<AlertDoc | null> {
  const stateRef = db.doc(firestorePaths.alertState(rule.rule_id));
  return db.runTransaction(async (tx) => {
    const stateSnap = await tx.get(stateRef);
    const state = stateSnap.exists ? (stateSnap.data() as AlertStateDoc) : null;
    if (!state?.active || !state.episode_id) {
      if (arm && !state) {
        const inactive: AlertStateDoc = {
          rule_id: rule.rule_id,
          device_id: rule.device_id,
          active: false,
          episode_id: null,
          changed_at: iso(now),
        };
        tx.set(stateRef, inactive);
      }
      return null;
    }
    const alertRef = db.doc(firestorePaths.alert(state.episode_id));
    const alertSnap = await tx.get(alertRef);
    const resolvedAt = iso(now);
    const alert = alertSnap.exists ? (alertSnap.data() as AlertDoc) : null;
    const settingsSnaps = alert?.webhooks.length
      ? await tx.getAll(...alert.webhooks.map((w) => db.doc(firestorePaths.notificationSettings(w.uid))))
      : [];
    // Every read above, every write below (a Firestore transaction's rule).
    tx.update(stateRef, { active: false, changed_at: resolvedAt });
    if (!alert) return null;
    tx.update(alertRef, { resolved_at: resolvedAt });
    for (const uid of alert.recipients)
      tx.set(
        db.doc(firestorePaths.notification(uid, alert.alert_id)),
        { resolved_at: resolvedAt },
        { merge: true },
      );
    alert.webhooks.forEach((target, i) => {
      const settings = settingsSnaps[i]?.data() as NotificationSettingsDoc | undefined;
      queue(db, tx, {
        channel: 'webhook',
        event: 'alert.resolved',
        uid: target.uid,
        alert_id: alert.alert_id,
        facts: factsOf(alert),
        fired_at: alert.fired_at,
        webhook_id: target.webhook_id,
        deliver_after: quietHoursEnd(settings?.quiet_hours ?? null, now),
      });
    });
    return { ...alert, resolved_at: resolvedAt };
  });
}

function factsOf(alert: AlertDoc): AlertFacts {
  return {
    rule_id: alert.rule_id,
    rule_name: alert.rule_name,
    device_id: alert.device_id,
    device_name: alert.device_name,
    condition: alert.condition,
    severity: alert.severity,
    ...(alert.value !== undefined ? { value: alert.value } : {}),
  };
}

function queue(
  db: Firestore,
  tx: Transaction,
  item: Omit<OutboxItem, 'item_id' | 'state' | 'attempts' | 'lease_until' | 'created_at'>,
): void {
  const ref = db.collection(COLLECTIONS.alertOutbox).doc();
  const full: OutboxItem = {
    ...item,
    item_id: ref.id,
    state: 'pending',
    attempts: 0,
    lease_until: 0,
    created_at: Date.now(),
  };
  tx.set(ref, full);
}
