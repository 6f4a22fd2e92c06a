import {
  DAY_MS,
  type DayCounters,
  dayStart,
  type HistoryDayDoc,
  type HistoryHourDoc,
  HOUR_MS,
  historyDayId,
  historyHourId,
  hourStart,
  type ReadingStats,
  type Transition,
} from '@esp32cloud/protocol';

// One device's telemetry in memory: the current UTC hour (per-minute reading points, output changes,
// presence) and the current UTC day (exact reading figures, on-time, online time, counters). Time only moves
// forward through advance(), which splits on-time and online time exactly at hour and day boundaries and
// hands every finished hour and day to `sink`. Everything here is a delta since the last hand-over, so a
// partial flush (bridge stop) followed by the rest of the hour merges into the same documents without double
// counting (store.ts merges).

type OutputValue = boolean | number | string;

/** Per-minute figures of one reading: a sample count is kept so two partial hours merge exactly. */
interface MinuteCell {
  min: number;
  max: number;
  sum: number;
  n: number;
}

export interface HistorySink {
  hour(delta: HistoryHourDoc): void;
  day(delta: HistoryDayDoc): void;
}

/** A value counts as "on" when it is true or a positive number (a dimmer's brightness). */
export const isOn = (value: OutputValue | undefined) =>
  value === true || (typeof value === 'number' && value > 0) || value === 'on';

const emptyCounters = (): DayCounters => ({
  messages: 0,
  heartbeats: 0,
  statuses: 0,
  acks: 0,
  logs: 0,
  state_changes: 0,
  commands: 0,
});

function addStats(into: Record<string, ReadingStats>, name: string, value: number): void {
  const stats = into[name];
  if (!stats) into[name] = { min: value, max: value, sum: value, count: 1 };
  else {
    stats.min = Math.min(stats.min, value);
    stats.max = Math.max(stats.max, value);
    stats.sum += value;
    stats.count++;
  }
}

class HourBucket {
  readonly minutes = new Map<number, Map<string, MinuteCell>>();
  readonly stats: Record<string, ReadingStats> = {};
  readonly outputs: Record<string, Transition[]> = {};
  readonly onMs: Record<string, number> = {};
  onlineMs = 0;
  readonly presence: [number, boolean][] = [];
  messages = 0;
  /** Something happened in this hour (the values carried over from the last hour alone are not news). */
  active = false;

  constructor(readonly start: number) {}

  reading(now: number, name: string, value: number): void {
    this.active = true;
    const minute = Math.floor((now - this.start) / 60_000);
    const cells = this.minutes.get(minute) ?? new Map<string, MinuteCell>();
    this.minutes.set(minute, cells);
    const cell = cells.get(name);
    if (!cell) cells.set(name, { min: value, max: value, sum: value, n: 1 });
    else {
      cell.min = Math.min(cell.min, value);
      cell.max = Math.max(cell.max, value);
      cell.sum += value;
      cell.n++;
    }
    addStats(this.stats, name, value);
  }

  toDelta(deviceId: string): HistoryHourDoc {
    const minutes = [...this.minutes.keys()].sort((a, b) => a - b);
    const names = new Set<string>();
    for (const cells of this.minutes.values()) for (const name of cells.keys()) names.add(name);
    const readings: HistoryHourDoc['readings'] = {};
    for (const name of names) {
      const cellAt = (m: number) => this.minutes.get(m)?.get(name);
      readings[name] = {
        min: minutes.map((m) => cellAt(m)?.min ?? null),
        max: minutes.map((m) => cellAt(m)?.max ?? null),
        avg: minutes.map((m) => {
          const cell = cellAt(m);
          return cell ? cell.sum / cell.n : null;
        }),
        n: minutes.map((m) => cellAt(m)?.n ?? null),
      };
    }
    const onSeconds: Record<string, number> = {};
    for (const [name, ms] of Object.entries(this.onMs)) onSeconds[name] = ms / 1000;
    return {
      device_id: deviceId,
      hour: historyHourId(this.start),
      day: historyDayId(this.start),
      start_ms: this.start,
      minutes,
      readings,
      reading_stats: this.stats,
      outputs: this.outputs,
      on_seconds: onSeconds,
      online_seconds: this.onlineMs / 1000,
      presence: this.presence,
      messages: this.messages,
    };
  }
}

class DayBucket {
  readonly stats: Record<string, ReadingStats> = {};
  readonly onMs: Record<string, number> = {};
  onlineMs = 0;
  counters = emptyCounters();
  readonly errorCodes: Record<string, number> = {};
  touched = false;

  constructor(readonly start: number) {}

  toDoc(deviceId: string): HistoryDayDoc {
    const onSeconds: Record<string, number> = {};
    for (const [name, ms] of Object.entries(this.onMs)) onSeconds[name] = ms / 1000;
    return {
      device_id: deviceId,
      day: historyDayId(this.start),
      start_ms: this.start,
      readings: this.stats,
      on_seconds: onSeconds,
      online_seconds: this.onlineMs / 1000,
      error_codes: this.errorCodes,
      ...this.counters,
    };
  }
}

export class DeviceHistory {
  private hour: HourBucket;
  private day: DayBucket;
  private accountedTo: number;
  private readonly outputs = new Map<string, OutputValue>();
  /** null until the bridge knows (a restart learns it from the next message). */
  online: boolean | null = null;

  constructor(
    readonly deviceId: string,
    now: number,
    private readonly sink: HistorySink,
  ) {
    this.hour = new HourBucket(hourStart(now));
    this.day = new DayBucket(dayStart(now));
    this.accountedTo = now;
  }

  /** Moves time to `now`: on-time and online time accrue, finished hours and days go to the sink. */
  advance(now: number): void {
    while (this.accountedTo < now) {
      const hourEnd = this.hour.start + HOUR_MS;
      const until = Math.min(now, hourEnd);
      this.accrue(until - this.accountedTo);
      this.accountedTo = until;
      if (until === hourEnd) this.rollHour(hourEnd);
    }
  }

  private accrue(ms: number): void {
    // An offline device's outputs are unknown (and it reports nothing), so nothing accrues.
    if (ms <= 0 || this.online !== true) return;
    this.hour.active = true;
    this.hour.onlineMs += ms;
    this.day.onlineMs += ms;
    this.day.touched = true;
    for (const [name, value] of this.outputs) {
      if (!isOn(value)) continue;
      this.hour.onMs[name] = (this.hour.onMs[name] ?? 0) + ms;
      this.day.onMs[name] = (this.day.onMs[name] ?? 0) + ms;
      this.day.touched = true;
    }
  }

  private rollHour(next: number): void {
    if (this.hour.active) this.sink.hour(this.hour.toDelta(this.deviceId));
    this.hour = new HourBucket(next);
    // The value held at the hour's start, so a chart of the hour alone knows where each output stood.
    for (const [name, value] of this.outputs) this.hour.outputs[name] = [[0, value]];
    if (this.online !== null) this.hour.presence.push([0, this.online]);
    if (next >= this.day.start + DAY_MS) {
      if (this.day.touched) this.sink.day(this.day.toDoc(this.deviceId));
      this.day = new DayBucket(dayStart(next));
    }
  }

  count(now: number, counter: keyof DayCounters): void {
    this.advance(now);
    this.day.counters[counter]++;
    this.day.touched = true;
    if (counter === 'messages') {
      this.hour.messages++;
      this.hour.active = true;
    }
  }

  errorCode(now: number, code: string): void {
    this.advance(now);
    this.day.errorCodes[code] = (this.day.errorCodes[code] ?? 0) + 1;
    this.day.touched = true;
  }

  presence(now: number, online: boolean): void {
    this.advance(now);
    if (this.online === online) return;
    this.online = online;
    this.hour.presence.push([(now - this.hour.start) / 1000, online]);
    this.hour.active = true;
    this.day.touched = true;
  }

  readings(now: number, readings: Record<string, number>): void {
    this.advance(now);
    for (const [name, value] of Object.entries(readings)) {
      this.hour.reading(now, name, value);
      addStats(this.day.stats, name, value);
    }
    this.day.touched = true;
  }

  outputChanges(now: number, outputs: Record<string, OutputValue>): void {
    this.advance(now);
    for (const [name, value] of Object.entries(outputs)) {
      if (this.outputs.get(name) === value) continue;
      this.outputs.set(name, value);
      const list = this.hour.outputs[name] ?? [];
      list.push([(now - this.hour.start) / 1000, value]);
      this.hour.outputs[name] = list;
      this.hour.active = true;
    }
    this.day.touched = true;
  }

  /** Hands over the current hour and day so far (bridge stop, tests); the next deltas start empty. */
  flushPartial(now: number): void {
    this.advance(now);
    const start = this.hour.start;
    if (this.hour.active) this.sink.hour(this.hour.toDelta(this.deviceId));
    this.hour = new HourBucket(start);
    if (this.day.touched) this.sink.day(this.day.toDoc(this.deviceId));
    this.day = new DayBucket(this.day.start);
  }
}
