import type { HistoryPoint, HistoryResponse } from '@esp32cloud/protocol';

// History → the column arrays a time-series chart draws (seconds on x, one column per reading's average),
// with the device's live reading appended when the range reaches now (the bridge writes the current hour
// only when it ends).

export interface ChartColumns {
  names: string[];
  x: number[];
  ys: (number | null)[][];
}

export function chartColumns(
  history: HistoryResponse,
  live: { at: number; readings: Record<string, number> } | null,
): ChartColumns {
  const names = [...history.reading_names];
  if (live) for (const name of Object.keys(live.readings)) if (!names.includes(name)) names.push(name);
  const points: HistoryPoint[] = [...history.points];
  const to = Date.parse(history.to);
  const last = points[points.length - 1];
  if (live && live.at <= to + 60_000 && (!last || live.at > last.t)) {
    const readings: HistoryPoint['readings'] = {};
    for (const [name, value] of Object.entries(live.readings))
      readings[name] = { min: value, avg: value, max: value };
    points.push({ t: live.at, readings });
  }
  return {
    names,
    x: points.map((p) => p.t / 1000),
    ys: names.map((name) => points.map((p) => p.readings[name]?.avg ?? null)),
  };
}

/** Online/offline segments over [from, to] from the presence changes, as fractions of the range. */
export function presenceSegments(
  presence: HistoryResponse['presence'],
  from: number,
  to: number,
): { start: number; width: number; online: boolean }[] {
  const span = to - from;
  const segments: { start: number; width: number; online: boolean }[] = [];
  presence.forEach(([t, online], i) => {
    const start = Math.max(t, from);
    const end = Math.min(presence[i + 1]?.[0] ?? to, to);
    if (end > start) segments.push({ start: (start - from) / span, width: (end - start) / span, online });
  });
  return segments;
}

/** The file name a downloaded CSV gets. */
export function csvFileNameFor(deviceId: string, from: number, to: number): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `${deviceId}_${day(from)}_${day(to)}.csv`;
}
