import {
  DAY_COUNTERS,
  type HistoryDayDoc,
  type HistoryHourDoc,
  type MinuteSeries,
  type ReadingStats,
} from '@esp32cloud/protocol';

// Merging a delta into what is already stored (a partial hour flushed at a bridge stop, or two bridge
// instances that each saw part of a device's messages): sums add, minima and maxima combine, per-minute
// averages are re-weighted by their sample counts, change lists interleave by time. Exact, and the same
// whichever delta lands first.

function addNumbers(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
  return out;
}

export function mergeStats(
  a: Record<string, ReadingStats>,
  b: Record<string, ReadingStats>,
): Record<string, ReadingStats> {
  const out: Record<string, ReadingStats> = { ...a };
  for (const [name, s] of Object.entries(b)) {
    const t = out[name];
    out[name] = t
      ? {
          min: Math.min(t.min, s.min),
          max: Math.max(t.max, s.max),
          sum: t.sum + s.sum,
          count: t.count + s.count,
        }
      : { ...s };
  }
  return out;
}

function byTime<T extends [number, unknown]>(a: T[], b: T[]): T[] {
  const seen = new Set<string>();
  return [...a, ...b]
    .sort((x, y) => x[0] - y[0])
    .filter((item) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function mergeSeries(
  aMinutes: number[],
  a: MinuteSeries | undefined,
  bMinutes: number[],
  b: MinuteSeries | undefined,
  minutes: number[],
): MinuteSeries {
  const cell = (ms: number[], s: MinuteSeries | undefined, minute: number) => {
    const i = ms.indexOf(minute);
    if (!s || i < 0 || s.n[i] === null || s.n[i] === undefined) return null;
    return { min: s.min[i] as number, max: s.max[i] as number, avg: s.avg[i] as number, n: s.n[i] as number };
  };
  const out: MinuteSeries = { min: [], max: [], avg: [], n: [] };
  for (const minute of minutes) {
    const x = cell(aMinutes, a, minute);
    const y = cell(bMinutes, b, minute);
    if (!x && !y) {
      out.min.push(null);
      out.max.push(null);
      out.avg.push(null);
      out.n.push(null);
      continue;
    }
    const n = (x?.n ?? 0) + (y?.n ?? 0);
    out.min.push(Math.min(x?.min ?? Number.POSITIVE_INFINITY, y?.min ?? Number.POSITIVE_INFINITY));
    out.max.push(Math.max(x?.max ?? Number.NEGATIVE_INFINITY, y?.max ?? Number.NEGATIVE_INFINITY));
    out.avg.push(((x ? x.avg * x.n : 0) + (y ? y.avg * y.n : 0)) / n);
    out.n.push(n);
  }
  return out;
}

export function mergeHour(stored: HistoryHourDoc | undefined, delta: HistoryHourDoc): HistoryHourDoc {
  if (!stored) return delta;
  const minutes = [...new Set([...stored.minutes, ...delta.minutes])].sort((x, y) => x - y);
  const names = new Set([...Object.keys(stored.readings), ...Object.keys(delta.readings)]);
  const readings: HistoryHourDoc['readings'] = {};
  for (const name of names)
    readings[name] = mergeSeries(
      stored.minutes,
      stored.readings[name],
      delta.minutes,
      delta.readings[name],
      minutes,
    );
  const outputs: HistoryHourDoc['outputs'] = { ...stored.outputs };
  for (const [name, list] of Object.entries(delta.outputs)) outputs[name] = byTime(outputs[name] ?? [], list);
  return {
    ...delta,
    minutes,
    readings,
    reading_stats: mergeStats(stored.reading_stats, delta.reading_stats),
    outputs,
    on_seconds: addNumbers(stored.on_seconds, delta.on_seconds),
    online_seconds: stored.online_seconds + delta.online_seconds,
    presence: byTime(stored.presence, delta.presence),
    messages: stored.messages + delta.messages,
  };
}

export function mergeDay(stored: HistoryDayDoc | undefined, delta: HistoryDayDoc): HistoryDayDoc {
  if (!stored) return delta;
  const merged: HistoryDayDoc = {
    ...delta,
    readings: mergeStats(stored.readings, delta.readings),
    on_seconds: addNumbers(stored.on_seconds, delta.on_seconds),
    online_seconds: stored.online_seconds + delta.online_seconds,
    error_codes: addNumbers(stored.error_codes ?? {}, delta.error_codes),
  };
  for (const counter of DAY_COUNTERS) merged[counter] = (stored[counter] ?? 0) + delta[counter];
  return merged;
}
