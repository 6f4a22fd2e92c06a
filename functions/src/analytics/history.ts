import {
  COLLECTIONS,
  DEVICE_SUBCOLLECTIONS,
  dayStart,
  type HistoryCommand,
  type HistoryDayDoc,
  type HistoryHourDoc,
  type HistoryPoint,
  type HistoryResponse,
  hourStart,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import type { HistoryRange } from './validation.ts';

// A device's history over a range, from the documents the bridge writes (docs/ANALYTICS.md): per-minute points
// (raw) and hourly points from the hour documents, daily points and per-day on-time from the day summaries,
// commands (and who sent them) from the device's command documents. The hour still being gathered by the
// bridge is not stored yet; the web app draws it from the device's live state.

const historyCollection = (db: Firestore, deviceId: string, name: 'historyHours' | 'historyDays') =>
  db.collection(COLLECTIONS.devices).doc(deviceId).collection(DEVICE_SUBCOLLECTIONS[name]);

async function docsBetween<T>(
  db: Firestore,
  deviceId: string,
  name: 'historyHours' | 'historyDays',
  from: number,
  to: number,
  fields?: (keyof T & string)[],
): Promise<T[]> {
  let query = historyCollection(db, deviceId, name)
    .where('start_ms', '>=', from)
    .where('start_ms', '<', to)
    .orderBy('start_ms');
  if (fields) query = query.select(...fields);
  const snap = await query.get();
  return snap.docs.map((d) => d.data() as T);
}

function statsPoint(t: number, stats: HistoryHourDoc['reading_stats']): HistoryPoint {
  const readings: HistoryPoint['readings'] = {};
  for (const [name, s] of Object.entries(stats))
    if (s.count > 0) readings[name] = { min: s.min, avg: s.sum / s.count, max: s.max };
  return { t, readings };
}

function minutePoints(hour: HistoryHourDoc, from: number, to: number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  hour.minutes.forEach((minute, i) => {
    const t = hour.start_ms + minute * 60_000;
    if (t < from || t >= to) return;
    const readings: HistoryPoint['readings'] = {};
    for (const [name, series] of Object.entries(hour.readings)) {
      const avg = series.avg[i];
      if (avg === null || avg === undefined) continue;
      readings[name] = { min: series.min[i] as number, avg, max: series.max[i] as number };
    }
    points.push({ t, readings });
  });
  return points;
}

async function commandsBetween(
  db: Firestore,
  deviceId: string,
  from: number,
  to: number,
): Promise<HistoryCommand[]> {
  const snap = await db
    .collection(COLLECTIONS.devices)
    .doc(deviceId)
    .collection(DEVICE_SUBCOLLECTIONS.commands)
    .where('created_at', '>=', Timestamp.fromMillis(from))
    .where('created_at', '<', Timestamp.fromMillis(to))
    .orderBy('created_at')
    .limit(config.analytics.historyMaxCommands)
    .get();
  return snap.docs.map((d) => {
    const c = d.data();
    return {
      command_id: d.id,
      command: String(c.command ?? ''),
      status: String(c.status ?? ''),
      requested_by: typeof c.requested_by === 'string' ? c.requested_by : null,
      at: (c.created_at as Timestamp).toDate().toISOString(),
    };
  });
}

export async function readHistory(
  db: Firestore,
  deviceId: string,
  range: HistoryRange,
): Promise<HistoryResponse> {
  const { from, to, resolution } = range;
  const wantHours = resolution !== 'day';
  const [hours, days, commands] = await Promise.all([
    wantHours
      ? docsBetween<HistoryHourDoc>(
          db,
          deviceId,
          'historyHours',
          hourStart(from),
          to,
          // Hourly points need the hour's figures, not its per-minute arrays (most of a document's bytes).
          resolution === 'hour' ? ['start_ms', 'reading_stats', 'outputs', 'presence'] : undefined,
        )
      : Promise.resolve([]),
    docsBetween<HistoryDayDoc>(db, deviceId, 'historyDays', dayStart(from), to),
    commandsBetween(db, deviceId, from, to),
  ]);

  let points: HistoryPoint[];
  if (resolution === 'raw') points = hours.flatMap((h) => minutePoints(h, from, to));
  else if (resolution === 'hour')
    points = hours
      .filter((h) => h.start_ms >= hourStart(from))
      .map((h) => statsPoint(h.start_ms, h.reading_stats));
  else points = days.map((d) => statsPoint(d.start_ms, d.readings));
  points = points.filter((p) => Object.keys(p.readings).length > 0);

  const outputs: HistoryResponse['outputs'] = {};
  const presence: HistoryResponse['presence'] = [];
  for (const hour of hours) {
    for (const [name, changes] of Object.entries(hour.outputs)) {
      const list = outputs[name] ?? [];
      for (const [second, value] of changes) {
        const t = hour.start_ms + second * 1000;
        // The value carried into each hour repeats the last change: keep only real changes.
        if (list.length > 0 && list[list.length - 1][1] === value) continue;
        list.push([t, value]);
      }
      outputs[name] = list;
    }
    for (const [second, online] of hour.presence) {
      if (presence.length > 0 && presence[presence.length - 1][1] === online) continue;
      presence.push([hour.start_ms + second * 1000, online]);
    }
  }

  const names = new Set<string>();
  for (const p of points) for (const name of Object.keys(p.readings)) names.add(name);
  return {
    device_id: deviceId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    resolution,
    reading_names: [...names].sort(),
    points,
    outputs,
    presence,
    days: days.map((d) => ({ day: d.day, on_seconds: d.on_seconds, online_seconds: d.online_seconds })),
    commands,
  };
}
