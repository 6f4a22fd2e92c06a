import {
  COLLECTIONS,
  DAY_MS,
  DEFAULT_PLAN_ID,
  DEVICE_SUBCOLLECTIONS,
  historyDayId,
} from '@esp32cloud/protocol';
import { FieldPath, type Firestore, type Query } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { logs } from '../logs.ts';
import { customerPlan, planTable } from '../plans/entitlements.ts';

// The scheduled retention cleanup (wired in index.ts as analyticsRetention; the Functions emulator does not
// fire schedules, so tests call runRetention directly). Device by device, in pages: hour documents older than
// the owner's plan's detail window and day summaries (and legacy usage counters) older than its summary window
// are deleted; everything younger stays.

export interface RetentionResult {
  devices: number;
  hoursDeleted: number;
  daysDeleted: number;
  usageDeleted: number;
}

async function deleteAll(db: Firestore, query: Query): Promise<number> {
  let deleted = 0;
  for (;;) {
    const snap = await query.limit(config.analytics.retentionBatchSize).get();
    if (snap.empty) return deleted;
    const batch = db.batch();
    for (const doc of snap.docs) batch.delete(doc.ref);
    await batch.commit();
    deleted += snap.size;
    if (snap.size < config.analytics.retentionBatchSize) return deleted;
  }
}

export async function runRetention(db: Firestore, now = Date.now()): Promise<RetentionResult> {
  const result: RetentionResult = { devices: 0, hoursDeleted: 0, daysDeleted: 0, usageDeleted: 0 };
  // One plan lookup per owner per run, so a fleet of one owner costs one read.
  const plans = new Map<string, Promise<{ detailDays: number; summaryDays: number }>>();
  const entitlement = (owner: string | null) => {
    const key = owner ?? '';
    let found = plans.get(key);
    if (!found) {
      const plan = owner
        ? customerPlan(db, owner)
        : planTable(db).then((table) => ({ entitlements: table[DEFAULT_PLAN_ID].entitlements }));
      found = plan.then(({ entitlements }) => ({
        detailDays: entitlements.historyDetailDays,
        summaryDays: entitlements.historySummaryDays,
      }));
      plans.set(key, found);
    }
    return found;
  };
  let after: string | null = null;
  for (;;) {
    let page = db
      .collection(COLLECTIONS.devices)
      .orderBy(FieldPath.documentId())
      .select('owner_uid')
      .limit(config.analytics.retentionDevicePage);
    if (after) page = page.startAfter(after);
    const devices = await page.get();
    for (const device of devices.docs) {
      const plan = await entitlement((device.get('owner_uid') as string | null) ?? null);
      const detailCutoff = now - plan.detailDays * DAY_MS;
      const summaryCutoff = now - plan.summaryDays * DAY_MS;
      const sub = (name: keyof typeof DEVICE_SUBCOLLECTIONS) =>
        device.ref.collection(DEVICE_SUBCOLLECTIONS[name]);
      result.hoursDeleted += await deleteAll(db, sub('historyHours').where('start_ms', '<', detailCutoff));
      result.daysDeleted += await deleteAll(db, sub('historyDays').where('start_ms', '<', summaryCutoff));
      result.usageDeleted += await deleteAll(
        db,
        sub('usage').where('date', '<', historyDayId(summaryCutoff)),
      );
      result.devices++;
    }
    if (devices.size < config.analytics.retentionDevicePage) break;
    after = devices.docs[devices.docs.length - 1].id;
  }
  logs.historyRetention(result);
  return result;
}
