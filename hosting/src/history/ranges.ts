import { DAY_MS, type HistoryResolution, HOUR_MS } from '@esp32cloud/protocol';

// The ranges a customer picks and the resolution each asks the API for, within the API's limits
// (packages/protocol history.ts): 24 h per minute (1,440 points), 7 and 30 days per hour.

export type RangeKey = '24h' | '7d' | '30d' | 'custom';

export interface HistoryWindow {
  from: number;
  to: number;
  resolution: HistoryResolution;
}

export function windowFor(key: Exclude<RangeKey, 'custom'>, now: number): HistoryWindow {
  if (key === '24h') return { from: now - DAY_MS, to: now, resolution: 'raw' };
  if (key === '7d') return { from: now - 7 * DAY_MS, to: now, resolution: 'hour' };
  return { from: now - 30 * DAY_MS, to: now, resolution: 'hour' };
}

/** A custom range: the finest resolution the API allows for its length. */
export function customWindow(from: number, to: number): HistoryWindow {
  const span = to - from;
  const resolution: HistoryResolution = span <= 2 * DAY_MS ? 'raw' : span <= 31 * DAY_MS ? 'hour' : 'day';
  return { from, to, resolution };
}

/** The browser's time zone (Asia/Bangkok for our customers), for labels. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** yyyy-mm-ddThh:mm in the browser's time zone, for datetime-local inputs. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export const HOUR = HOUR_MS;
