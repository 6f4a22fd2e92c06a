// Device history and fleet analytics (docs/ANALYTICS.md): the documents the bridge writes, the shapes the API
// returns, and the limits both sides check. The bridge keeps an hour of a device's telemetry in memory and
// writes it as one document when the hour ends, plus one summary per UTC day, so a device costs about 25
// history writes a day whatever its reporting rate.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** devices/{id}/history_hours/{yyyy-mm-ddThh} (UTC). */
export const historyHourId = (ms: number) => new Date(ms).toISOString().slice(0, 13);
/** devices/{id}/history_days/{yyyy-mm-dd} (UTC). */
export const historyDayId = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const hourStart = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** One reading's figures over a span: exact, so averages of averages are never taken. */
export interface ReadingStats {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Per-minute points of one reading inside an hour, aligned with HistoryHourDoc.minutes (null: no sample). */
export interface MinuteSeries {
  min: (number | null)[];
  max: (number | null)[];
  avg: (number | null)[];
  /** Samples per minute (two partial flushes of one hour merge exactly with it). */
  n: (number | null)[];
}

/** An output's value changes inside an hour: [seconds since the hour's start, value]. */
export type Transition = [number, boolean | number | string];

export interface HistoryHourDoc {
  device_id: string;
  hour: string;
  day: string;
  start_ms: number;
  /** Minutes of the hour (0–59) that have at least one reading sample, ascending. */
  minutes: number[];
  readings: Record<string, MinuteSeries>;
  /** The hour's exact figures per reading (the per-minute points are rounded only by the device). */
  reading_stats: Record<string, ReadingStats>;
  /** Output changes inside the hour, with the value held at the hour's start at second 0 when known. */
  outputs: Record<string, Transition[]>;
  on_seconds: Record<string, number>;
  online_seconds: number;
  /** Presence changes inside the hour: [second, online]. */
  presence: [number, boolean][];
  messages: number;
}

/** Daily counters: the old devices/{id}/usage/{day} counters live here now. */
export interface DayCounters {
  messages: number;
  heartbeats: number;
  statuses: number;
  acks: number;
  logs: number;
  /** Status or ack messages that changed outputs (e.g. a relay switched). */
  state_changes: number;
  /** Commands published to the device. */
  commands: number;
}

export const DAY_COUNTERS: readonly (keyof DayCounters)[] = [
  'messages',
  'heartbeats',
  'statuses',
  'acks',
  'logs',
  'state_changes',
  'commands',
];

export interface HistoryDayDoc extends DayCounters {
  device_id: string;
  day: string;
  start_ms: number;
  readings: Record<string, ReadingStats>;
  on_seconds: Record<string, number>;
  online_seconds: number;
  /** Error-level device log lines per `fields.code` ("unknown" without one). */
  error_codes: Record<string, number>;
}

// ---- API ------------------------------------------------------------------------------------------------

export const HISTORY_RESOLUTIONS = ['raw', 'hour', 'day'] as const;
export type HistoryResolution = (typeof HISTORY_RESOLUTIONS)[number];

/** The longest range each resolution may ask for, so one answer stays small (docs/ANALYTICS.md). */
export const HISTORY_MAX_RANGE_MS: Record<HistoryResolution, number> = {
  raw: 2 * DAY_MS,
  hour: 31 * DAY_MS,
  day: 400 * DAY_MS,
};
/** Points per answer, whatever the range. */
export const HISTORY_MAX_POINTS = 20_000;
export const ANALYTICS_MAX_DAYS = 90;

/** One time-series point: t in ms since the epoch; readings as min/avg/max over the point's span. */
export interface HistoryPoint {
  t: number;
  readings: Record<string, { min: number; avg: number; max: number }>;
}

export interface HistoryOutputDay {
  day: string;
  on_seconds: Record<string, number>;
  online_seconds: number;
}

export interface HistoryCommand {
  command_id: string;
  command: string;
  status: string;
  requested_by: string | null;
  at: string;
}

export interface HistoryResponse {
  device_id: string;
  from: string;
  to: string;
  resolution: HistoryResolution;
  reading_names: string[];
  points: HistoryPoint[];
  /** Output changes and presence over the range: [ms, value]. */
  outputs: Record<string, [number, boolean | number | string][]>;
  presence: [number, boolean][];
  days: HistoryOutputDay[];
  commands: HistoryCommand[];
}

export interface FleetDay {
  day: string;
  manufactured: number;
  claimed: number;
  active: number;
  messages: number;
}

export interface FleetAnalyticsResponse {
  days: number;
  generated_at: string;
  totals: { devices: number; claimed: number; online: number; active_24h: number; online_ratio: number };
  per_day: FleetDay[];
  batches: { batch_id: string; manufactured: number; claimed: number; activation_rate: number }[];
  /** Hours from manufacture to claim over devices claimed in the window. */
  time_to_claim_hours: { count: number; median: number | null; p90: number | null };
  firmware: Record<string, number>;
  device_types: Record<string, number>;
  top_error_codes: { code: string; count: number }[];
}
