import {
  COLLECTIONS,
  DAY_MS,
  DEVICE_SUBCOLLECTIONS,
  dayStart,
  type FleetAnalyticsResponse,
  type FleetDay,
  type HistoryDayDoc,
  historyDayId,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { config } from '../config.ts';

// Fleet figures for operators over the last `days` UTC days: from the device documents (manufactured, claimed,
// online, firmware and type mix, batches, time to claim) and the bridge's day summaries (active devices and
// messages per day, error codes from device logs). It reads every device document: fine for tens of thousands
// of devices; past that the same figures come from a nightly rollup (docs/ANALYTICS.md).

const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : null);

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function fleetAnalytics(
  db: Firestore,
  days: number,
  now = Date.now(),
): Promise<FleetAnalyticsResponse> {
  const from = dayStart(now) - (days - 1) * DAY_MS;
  const perDay = new Map<string, FleetDay>();
  for (let t = from; t <= now; t += DAY_MS) {
    const day = historyDayId(t);
    perDay.set(day, { day, manufactured: 0, claimed: 0, active: 0, messages: 0 });
  }
  const [devices, summaries] = await Promise.all([
    db
      .collection(COLLECTIONS.devices)
      .select(
        'device_type',
        'firmware_version',
        'status',
        'batch_id',
        'owner_uid',
        'created_at',
        'manufacturing_date',
        'registered_at',
        'state.online',
        'state.last_seen',
        'state.firmware',
      )
      .get(),
    db.collectionGroup(DEVICE_SUBCOLLECTIONS.historyDays).where('start_ms', '>=', from).get(),
  ]);

  const totals = { devices: 0, claimed: 0, online: 0, active_24h: 0, online_ratio: 0 };
  const firmware: Record<string, number> = {};
  const types: Record<string, number> = {};
  const batches = new Map<string, { manufactured: number; claimed: number }>();
  const toClaim: number[] = [];
  for (const doc of devices.docs) {
    const d = doc.data();
    const claimed = typeof d.owner_uid === 'string' && d.owner_uid !== '';
    totals.devices++;
    if (claimed) totals.claimed++;
    if (d.state?.online === true) totals.online++;
    const lastSeen = ms(d.state?.last_seen);
    if (d.state?.online === true || (lastSeen !== null && lastSeen >= now - DAY_MS)) totals.active_24h++;
    const fw = String(d.state?.firmware ?? d.firmware_version ?? 'unknown');
    firmware[fw] = (firmware[fw] ?? 0) + 1;
    types[String(d.device_type)] = (types[String(d.device_type)] ?? 0) + 1;
    const batchId = typeof d.batch_id === 'string' ? d.batch_id : '(none)';
    const batch = batches.get(batchId) ?? { manufactured: 0, claimed: 0 };
    batch.manufactured++;
    if (claimed) batch.claimed++;
    batches.set(batchId, batch);
    const made = ms(d.manufacturing_date) ?? ms(d.created_at);
    const registered = ms(d.registered_at);
    if (made !== null) {
      const day = perDay.get(historyDayId(made));
      if (day) day.manufactured++;
    }
    if (registered !== null && registered >= from) {
      const day = perDay.get(historyDayId(registered));
      if (day) day.claimed++;
      if (made !== null && claimed) toClaim.push((registered - made) / 3_600_000);
    }
  }
  totals.online_ratio = totals.claimed === 0 ? 0 : totals.online / totals.claimed;

  const errors: Record<string, number> = {};
  for (const doc of summaries.docs) {
    const s = doc.data() as HistoryDayDoc;
    const day = perDay.get(s.day);
    if (!day) continue;
    day.messages += s.messages ?? 0;
    if ((s.messages ?? 0) > 0) day.active++;
    for (const [code, count] of Object.entries(s.error_codes ?? {}))
      errors[code] = (errors[code] ?? 0) + count;
  }
  toClaim.sort((a, b) => a - b);
  return {
    days,
    generated_at: new Date(now).toISOString(),
    totals,
    per_day: [...perDay.values()],
    batches: [...batches.entries()]
      .map(([batch_id, b]) => ({
        batch_id,
        manufactured: b.manufactured,
        claimed: b.claimed,
        activation_rate: b.manufactured === 0 ? 0 : b.claimed / b.manufactured,
      }))
      .sort((a, b) => a.batch_id.localeCompare(b.batch_id)),
    time_to_claim_hours: {
      count: toClaim.length,
      median: quantile(toClaim, 0.5),
      p90: quantile(toClaim, 0.9),
    },
    firmware,
    device_types: types,
    top_error_codes: Object.entries(errors)
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .slice(0, config.analytics.topErrorCodes),
  };
}
