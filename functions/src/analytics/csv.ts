import type { HistoryResponse } from '@esp32cloud/protocol';

// The history as CSV (RFC 4180): one row per point, ISO 8601 UTC time first, then min/avg/max of every
// reading. Numbers are written in full (no rounding), so parsing the file gives back the same points.

function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function historyCsv(history: HistoryResponse): string {
  const header = ['time'];
  for (const name of history.reading_names) header.push(`${name}_min`, `${name}_avg`, `${name}_max`);
  const rows = [header.map(cell).join(',')];
  for (const point of history.points) {
    const row = [new Date(point.t).toISOString()];
    for (const name of history.reading_names) {
      const r = point.readings[name];
      row.push(r ? String(r.min) : '', r ? String(r.avg) : '', r ? String(r.max) : '');
    }
    rows.push(row.map(cell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export function csvFileName(deviceId: string, history: HistoryResponse): string {
  const safe = deviceId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${safe}_${history.from.slice(0, 10)}_${history.to.slice(0, 10)}_${history.resolution}.csv`;
}
