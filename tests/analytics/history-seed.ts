import {
  DAY_MS,
  firestorePaths,
  type HistoryDayDoc,
  type HistoryHourDoc,
  HOUR_MS,
  historyDayId,
  historyHourId,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';

// Seeds the documents the bridge writes (history hours and day summaries) for API and browser suites: a
// temperature that follows the hour of the day, a relay on from 08:00 to 09:30 each day, 12 samples a minute.

export const temperatureAt = (t: number) => 20 + ((t / HOUR_MS) % 24) / 2 + ((t / 60_000) % 60) / 100;

export function hourDoc(deviceId: string, start: number): HistoryHourDoc {
  const minutes = Array.from({ length: 60 }, (_, m) => m);
  const avg = minutes.map((m) => temperatureAt(start + m * 60_000));
  const hourOfDay = new Date(start).getUTCHours();
  const on = hourOfDay === 8 ? 3600 : hourOfDay === 9 ? 1800 : 0;
  return {
    device_id: deviceId,
    hour: historyHourId(start),
    day: historyDayId(start),
    start_ms: start,
    minutes,
    readings: {
      temperature: {
        min: avg.map((v) => v - 0.5),
        max: avg.map((v) => v + 0.5),
        avg,
        n: minutes.map(() => 12),
      },
    },
    reading_stats: {
      temperature: {
        min: Math.min(...avg) - 0.5,
        max: Math.max(...avg) + 0.5,
        sum: avg.reduce((a, b) => a + b, 0) * 12,
        count: 720,
      },
    },
    outputs:
      hourOfDay === 8
        ? { relay1: [[0, true]] }
        : hourOfDay === 9
          ? {
              relay1: [
                [0, true],
                [1800, false],
              ],
            }
          : {},
    on_seconds: on ? { relay1: on } : {},
    online_seconds: 3600,
    presence: [[0, true]],
    messages: 720,
  };
}

export function dayDoc(deviceId: string, start: number, extra: Partial<HistoryDayDoc> = {}): HistoryDayDoc {
  return {
    device_id: deviceId,
    day: historyDayId(start),
    start_ms: start,
    readings: { temperature: { min: 19.5, max: 32.5, sum: 26 * 17_280, count: 17_280 } },
    on_seconds: { relay1: 5400 },
    online_seconds: 86_400,
    error_codes: {},
    messages: 17_280,
    heartbeats: 0,
    statuses: 17_280,
    acks: 0,
    logs: 0,
    state_changes: 2,
    commands: 2,
    ...extra,
  };
}

/** Hour documents for every hour in [from, to) and day summaries for every day, in batches. */
export async function seedHistory(db: Firestore, deviceId: string, from: number, to: number): Promise<void> {
  const writes: [string, object][] = [];
  for (let t = from; t < to; t += HOUR_MS)
    writes.push([firestorePaths.historyHour(deviceId, historyHourId(t)), hourDoc(deviceId, t)]);
  for (let t = from; t < to; t += DAY_MS)
    writes.push([firestorePaths.historyDay(deviceId, historyDayId(t)), dayDoc(deviceId, t)]);
  for (let i = 0; i < writes.length; i += 400) {
    const batch = db.batch();
    for (const [path, data] of writes.slice(i, i + 400)) batch.set(db.doc(path), data);
    await batch.commit();
  }
}

export async function seedDevice(
  db: Firestore,
  deviceId: string,
  fields: {
    owner?: string | null;
    viewers?: string[];
    type?: string;
    batch?: string;
    made?: number;
    claimed?: number | null;
    online?: boolean;
    firmware?: string;
  },
): Promise<void> {
  const owner = fields.owner ?? null;
  await db.doc(firestorePaths.device(deviceId)).set({
    device_id: deviceId,
    serial_number: `SN${deviceId}`,
    device_type: fields.type ?? 'Sensor',
    firmware_version: fields.firmware ?? '1.0.0',
    status: owner ? 'active' : 'available',
    batch_id: fields.batch ?? null,
    owner_uid: owner,
    created_at: Timestamp.fromMillis(fields.made ?? Date.now() - 10 * DAY_MS),
    manufacturing_date: Timestamp.fromMillis(fields.made ?? Date.now() - 10 * DAY_MS),
    registered_at: fields.claimed ? Timestamp.fromMillis(fields.claimed) : null,
    state: {
      online: fields.online ?? false,
      last_seen: fields.online ? Timestamp.now() : null,
      outputs: {},
      readings: {},
    },
    desired: null,
  });
  const links: [string, string][] = [];
  if (owner) links.push([owner, 'owner']);
  for (const viewer of fields.viewers ?? []) links.push([viewer, 'viewer']);
  for (const [uid, level] of links)
    await db.doc(firestorePaths.userDevice(uid, deviceId)).set({
      user_id: uid,
      device_id: deviceId,
      access_level: level,
      device_name: `อุปกรณ์ ${deviceId}`,
      added_at: Timestamp.now(),
    });
}
