import {
  type AlertLimits,
  defaultNotificationSettings,
  firestorePaths,
  type ListNotificationsResponse,
  type NotificationDoc,
  type NotificationSettings,
  type NotificationSettingsDoc,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import type { Caller } from '../http/auth.ts';
import { badRequest, forbidden, notFound } from '../http/errors.ts';
import { allowedAlertChannels, requireAlertChannels } from '../plans/enforce.ts';

// A user's notification centre and notification settings. The bridge writes notifications; users read them
// live (Firestore rules allow their own) and mark them read through the API.

export function requireSelf(caller: Caller, uid: string): void {
  if (caller.uid !== uid) throw forbidden('You can only see and change your own notifications.');
}

export async function listNotifications(
  db: Firestore,
  uid: string,
  limit: number,
  unreadOnly: boolean,
): Promise<ListNotificationsResponse> {
  const all = db.collection(firestorePaths.notifications(uid));
  const base = unreadOnly ? all.where('read', '==', false) : all;
  const [page, unread] = await Promise.all([
    base.orderBy('fired_at', 'desc').limit(limit).get(),
    all.where('read', '==', false).limit(1000).get(),
  ]);
  return {
    notifications: page.docs.map((d) => d.data() as NotificationDoc),
    unread: unread.size,
  };
}

export async function markRead(db: Firestore, uid: string, notificationId: string): Promise<NotificationDoc> {
  if (notificationId.includes('/') || notificationId.length > 200)
    throw notFound(`No notification ${notificationId}.`);
  const ref = db.doc(firestorePaths.notification(uid, notificationId));
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (!snap.exists) throw notFound(`No notification ${notificationId}.`);
    const doc = snap.data() as NotificationDoc;
    if (doc.read) return doc;
    const read_at = new Date().toISOString();
    tx.update(ref, { read: true, read_at });
    return { ...doc, read: true, read_at };
  });
}

export async function readSettings(
  db: Firestore,
  caller: Caller,
  limits: AlertLimits,
): Promise<NotificationSettingsDoc> {
  const snap = await db.doc(firestorePaths.notificationSettings(caller.uid)).get();
  if (snap.exists) return snap.data() as NotificationSettingsDoc;
  // The defaults offer only the channels the plan has (no webhook on Free), so saving them as shown works.
  const allowed = await allowedAlertChannels(db, caller.uid);
  const defaults = defaultNotificationSettings(limits);
  const channels = Object.fromEntries(
    Object.entries(defaults.channels).map(([severity, list]) => [
      severity,
      list.filter((channel) => allowed.includes(channel)),
    ]),
  ) as NotificationSettings['channels'];
  return { ...defaults, channels, email: caller.email, updated_at: '' };
}

export async function writeSettings(
  db: Firestore,
  caller: Caller,
  settings: NotificationSettings,
  limits: AlertLimits,
): Promise<NotificationSettingsDoc> {
  if (settings.daily_cap > limits.dailyCapMax)
    throw badRequest(`Invalid body: daily_cap: at most ${limits.dailyCapMax} on your plan`, [
      { field: 'daily_cap', message: `at most ${limits.dailyCapMax}` },
    ]);
  if (Object.keys(settings.subscriptions).length > 500)
    throw badRequest('Invalid body: subscriptions: at most 500 devices', [
      { field: 'subscriptions', message: 'at most 500 devices' },
    ]);
  await requireAlertChannels(db, caller.uid, [...new Set(Object.values(settings.channels).flat())]);
  // The address is the account's own (from the ID token), never one a request names: alerts cannot be
  // pointed at somebody else's inbox.
  const doc: NotificationSettingsDoc = {
    ...settings,
    email: caller.email,
    updated_at: new Date().toISOString(),
  };
  await db.doc(firestorePaths.notificationSettings(caller.uid)).set(doc);
  return doc;
}

/** The unsubscribe link of an alert email: email leaves every severity's channels. */
export async function unsubscribeEmail(db: Firestore, token: string, limits: AlertLimits): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return false;
  const tokenSnap = await db.doc(firestorePaths.emailUnsubscribe(token)).get();
  const uid = tokenSnap.get('uid');
  if (typeof uid !== 'string') return false;
  const ref = db.doc(firestorePaths.notificationSettings(uid));
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const current = snap.exists
      ? (snap.data() as NotificationSettingsDoc)
      : { ...defaultNotificationSettings(limits), email: null, updated_at: '' };
    const channels = Object.fromEntries(
      Object.entries(current.channels).map(([severity, list]) => [
        severity,
        list.filter((c) => c !== 'email'),
      ]),
    ) as NotificationSettings['channels'];
    tx.set(ref, { ...current, channels, updated_at: new Date().toISOString() });
  });
  return true;
}
