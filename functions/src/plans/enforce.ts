import {
  type AlertChannel,
  COLLECTIONS,
  DAY_MS,
  firestorePaths,
  type HistoryResolution,
  type PlanId,
} from '@esp32cloud/protocol';
import { type DocumentSnapshot, type Firestore, Timestamp, type Transaction } from 'firebase-admin/firestore';
import type { DeviceDoc } from '../shared/documents.ts';
import { RecentMap } from '../shared/recent-map.ts';
import { customerPlan, planLimit, planTable } from './entitlements.ts';

// Where a customer's plan refuses something (docs/BILLING.md, "Enforcement"). Every refusal is the one
// plan_limit error of entitlements.ts. Counting uses aggregation queries (one read per 1,000 entries), so a
// check costs a few reads whatever the plan's size.

const ownedDevices = (db: Firestore, uid: string) =>
  db.collection(COLLECTIONS.devices).where('owner_uid', '==', uid);

/**
 * Claiming one more device (a claim, an accepted transfer): refused once the customer owns as many as the plan
 * allows. Runs inside the claim's transaction, after its other reads: it reads and rewrites the account's
 * claim_locks/{uid} document, so two claims at once conflict there and one retries after the other committed
 * and then counts the other's device. The count itself is always the owned devices (never a stored counter
 * that a release, a transfer or a decommissioning could leave wrong).
 */
export async function requireDeviceRoom(db: Firestore, uid: string, tx: Transaction): Promise<void> {
  const lock = db.doc(firestorePaths.claimLock(uid));
  await tx.get(lock);
  const [{ plan, entitlements }, table, owned] = await Promise.all([
    customerPlan(db, uid),
    planTable(db),
    tx.get(ownedDevices(db, uid).count()),
  ]);
  const count = owned.data().count;
  if (count >= entitlements.devices)
    throw planLimit(
      `Your ${plan.name.en} plan allows ${entitlements.devices} devices and you have ${count}. Upgrade or release a device first.`,
      plan,
      'devices',
      count + 1,
      table,
    );
  tx.set(lock, { uid, last_claim_at: Timestamp.now() });
}

/**
 * Downgrades never delete: when an owner has more devices than the plan allows, the ones claimed last
 * (registered_at) beyond the limit are read-only — they keep reporting and stay visible, but commands and
 * rule changes are refused until the customer releases some or upgrades. Devices without a claim time
 * (written before registered_at existed) count as claimed first.
 *
 * This sits on every command's path, so an owner found within the limit is remembered per instance (keyed by
 * the plan and its device limit) and the count is not asked again for OWNER_WITHIN_LIMIT_TTL_MS: a claim can
 * never take an owner past the limit, only a plan change can, and the plan is read fresh each time (the
 * caller may pass the owner's user document it already read beside the device). Over the limit nothing is
 * remembered, so an upgrade or a release counts at once.
 */
export async function requireWritableDevice(
  db: Firestore,
  device: DeviceDoc,
  ownerSnapshot?: DocumentSnapshot,
): Promise<void> {
  const owner = device.owner_uid;
  if (!owner) return;
  const { plan, entitlements } = await customerPlan(
    db,
    owner,
    ownerSnapshot?.id === owner ? ownerSnapshot : undefined,
  );
  const known = ownersWithinLimit.get(owner);
  if (
    known &&
    known.plan === plan.id &&
    known.devices === entitlements.devices &&
    Date.now() - known.at < OWNER_WITHIN_LIMIT_TTL_MS
  )
    return;
  const [table, owned] = await Promise.all([planTable(db), ownedDevices(db, owner).count().get()]);
  const total = owned.data().count;
  if (total <= entitlements.devices) {
    ownersWithinLimit.set(owner, { plan: plan.id, devices: entitlements.devices, at: Date.now() });
    return;
  }
  ownersWithinLimit.delete(owner);
  const claimedAt = device.registered_at;
  if (!claimedAt) return;
  const before = await ownedDevices(db, owner).where('registered_at', '<', claimedAt).count().get();
  const withoutClaimTime =
    total - (await ownedDevices(db, owner).orderBy('registered_at').count().get()).data().count;
  if (before.data().count + withoutClaimTime < entitlements.devices) return;
  throw planLimit(
    `This device is read-only: the ${plan.name.en} plan allows ${entitlements.devices} devices and the account has ${total}. Release a device or upgrade to control it again.`,
    plan,
    'devices',
    total,
    table,
  );
}

const OWNER_WITHIN_LIMIT_TTL_MS = 60_000;
const OWNERS_REMEMBERED = 10_000;
const ownersWithinLimit = new RecentMap<{ plan: PlanId; devices: number; at: number }>(OWNERS_REMEMBERED);

/** Sharing a device with one more person: the owner's plan caps the people per device. */
export async function requireShareSeat(db: Firestore, ownerUid: string, sharedNow: number): Promise<void> {
  const [{ plan, entitlements }, table] = await Promise.all([customerPlan(db, ownerUid), planTable(db)]);
  if (sharedNow >= entitlements.sharedUsersPerDevice)
    throw planLimit(
      `Your ${plan.name.en} plan lets a device be shared with ${entitlements.sharedUsersPerDevice} people. Remove someone or upgrade.`,
      plan,
      'sharedUsersPerDevice',
      sharedNow + 1,
      table,
    );
}

/** Alert rules per device, from the owner's plan. */
export async function alertRuleAllowance(
  db: Firestore,
  ownerUid: string,
): Promise<{ allowed: number; refuse: (existing: number) => Error }> {
  const [{ plan, entitlements }, table] = await Promise.all([customerPlan(db, ownerUid), planTable(db)]);
  const allowed = entitlements.alertRulesPerDevice;
  return {
    allowed,
    refuse: (existing) =>
      planLimit(
        `Your ${plan.name.en} plan allows ${allowed} alert rules per device. Delete one or upgrade.`,
        plan,
        'alertRulesPerDevice',
        existing + 1,
        table,
      ),
  };
}

/** Webhook endpoints: the webhook channel must be in the plan, then at most webhooksPerUser of them. */
export async function webhookAllowance(
  db: Firestore,
  uid: string,
): Promise<{ allowed: number; refuse: (existing: number) => Error }> {
  const [{ plan, entitlements }, table] = await Promise.all([customerPlan(db, uid), planTable(db)]);
  if (!entitlements.alertChannels.includes('webhook'))
    throw planLimit(
      `Alert webhooks are not part of the ${plan.name.en} plan. Upgrade to send alerts to your own systems.`,
      plan,
      'alertChannels',
      'webhook',
      table,
    );
  const allowed = entitlements.webhooksPerUser;
  return {
    allowed,
    refuse: (existing) =>
      planLimit(
        `Your ${plan.name.en} plan allows ${allowed} webhooks. Delete one or upgrade.`,
        plan,
        'webhooksPerUser',
        existing + 1,
        table,
      ),
  };
}

/**
 * History older than the plan keeps: per-minute and hourly points come from hour documents (historyDetailDays),
 * daily points from day summaries (historySummaryDays). An hour of slack lets "the last N days" ask from a
 * rounded start. `ownerUid` null (a device nobody owns, an operator looking) is not limited.
 */
export async function requireHistoryWindow(
  db: Firestore,
  ownerUid: string | null,
  range: { from: number; resolution: HistoryResolution },
  now = Date.now(),
): Promise<void> {
  if (!ownerUid) return;
  const [{ plan, entitlements }, table] = await Promise.all([customerPlan(db, ownerUid), planTable(db)]);
  const order: HistoryResolution[] = ['raw', 'hour', 'day'];
  if (order.indexOf(range.resolution) < order.indexOf(entitlements.historyFinest))
    throw planLimit(
      `The ${plan.name.en} plan answers history at ${entitlements.historyFinest} resolution at the finest.`,
      plan,
      'historyFinest',
      range.resolution,
      table,
    );
  const limit = range.resolution === 'day' ? 'historySummaryDays' : 'historyDetailDays';
  const days = entitlements[limit];
  const needed = Math.ceil((now - range.from) / DAY_MS);
  if (range.from < now - days * DAY_MS - HOUR_SLACK_MS)
    throw planLimit(
      `The ${plan.name.en} plan keeps ${range.resolution === 'day' ? 'daily summaries' : 'detailed history'} for ${days} days.`,
      plan,
      limit,
      needed,
      table,
    );
}

const HOUR_SLACK_MS = 3_600_000;

/** The alert channels a customer may choose: the in-app centre always, then the plan's channels. */
export async function allowedAlertChannels(db: Firestore, uid: string): Promise<AlertChannel[]> {
  const { entitlements } = await customerPlan(db, uid);
  return ['in_app', ...entitlements.alertChannels.filter((channel) => channel !== 'in_app')];
}

/** Notification settings naming a channel the plan lacks (a webhook on Free) are refused, not trimmed. */
export async function requireAlertChannels(
  db: Firestore,
  uid: string,
  chosen: AlertChannel[],
): Promise<void> {
  const allowed = await allowedAlertChannels(db, uid);
  const missing = chosen.find((channel) => !allowed.includes(channel));
  if (!missing) return;
  const [{ plan }, table] = await Promise.all([customerPlan(db, uid), planTable(db)]);
  throw planLimit(
    `The ${plan.name.en} plan does not include ${missing} alerts.`,
    plan,
    'alertChannels',
    missing,
    table,
  );
}
