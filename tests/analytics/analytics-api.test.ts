import {
  DAY_MS,
  type FleetAnalyticsResponse,
  firestorePaths,
  type HistoryResponse,
  HOUR_MS,
  historyDayId,
  historyHourId,
} from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../functions/src/analytics/retention.ts';
import { operatorToken } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { dayDoc, hourDoc, seedDevice, seedHistory, temperatureAt } from './history-seed.ts';

// The history and fleet analytics API in the real Functions emulator (Auth emulator tokens, our Firestore
// emulator), on seeded history documents; and the retention cleanup run directly against the emulator (the
// Functions emulator does not fire schedules).

let stack: Stack;
let db: Firestore;
let owner: TestUser;
let viewer: TestUser;
let stranger: TestUser;
let operator: string;
const DEVICE = 'ESP32_HIST01';
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const from30 = today - 30 * DAY_MS;

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  [owner, viewer, stranger] = await Promise.all([
    signUp(stack.authHost!),
    signUp(stack.authHost!),
    signUp(stack.authHost!),
  ]);
  operator = await operatorToken(stack.authHost!, stack.projectId);
  // A month of hourly points is more than Free keeps (7 days): the owner is on Business for the reads below.
  await db.doc(firestorePaths.user(owner.uid)).set({ plan: 'business' });
  await seedDevice(db, DEVICE, { owner: owner.uid, viewers: [viewer.uid] });
  await seedHistory(db, DEVICE, from30, today);
  await db.doc(firestorePaths.command(DEVICE, 'cmd-1')).set({
    id: 'cmd-1',
    command: 'read_now',
    params: {},
    status: 'acked',
    requested_by: owner.uid,
    created_at: Timestamp.fromMillis(today - DAY_MS + 9 * HOUR_MS),
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, token: string | null) =>
  fetch(`${stack.apiUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/devices/{id}/history', () => {
  it('gives the owner and a viewer 30 days hourly: every hour, exact figures, on-time per day, commands', async () => {
    for (const user of [owner, viewer]) {
      const response = await get(
        `/devices/${DEVICE}/history?from=${iso(from30)}&to=${iso(today)}&resolution=hour`,
        user.idToken,
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as HistoryResponse;
      expect(body.points).toHaveLength(30 * 24);
      expect(body.reading_names).toEqual(['temperature']);
      const first = hourDoc(DEVICE, from30).reading_stats.temperature;
      expect(body.points[0]).toEqual({
        t: from30,
        readings: { temperature: { min: first.min, avg: first.sum / first.count, max: first.max } },
      });
      expect(body.days).toHaveLength(30);
      expect(body.days[0]).toEqual({
        day: historyDayId(from30),
        on_seconds: { relay1: 5400 },
        online_seconds: 86_400,
      });
      // relay1 switched on at 08:00 and off at 09:30 every day: 60 changes, no repeats of the carried value.
      expect(body.outputs.relay1).toHaveLength(60);
      expect(body.outputs.relay1.slice(0, 2)).toEqual([
        [from30 + 8 * HOUR_MS, true],
        [from30 + 9.5 * HOUR_MS, false],
      ]);
      expect(body.presence).toEqual([[from30, true]]);
      expect(body.commands).toEqual([
        expect.objectContaining({ command_id: 'cmd-1', command: 'read_now', requested_by: owner.uid }),
      ]);
    }
  });

  it('raw resolution gives the per-minute points inside the range only', async () => {
    const start = today - DAY_MS + 30 * 60_000;
    const response = await get(
      `/devices/${DEVICE}/history?from=${start}&to=${start + 2 * HOUR_MS}&resolution=raw`,
      owner.idToken,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as HistoryResponse;
    expect(body.points).toHaveLength(120);
    expect(body.points[0].t).toBe(start);
    expect(body.points[0].readings.temperature.avg).toBe(temperatureAt(start));
  });

  it('day resolution gives one point per day summary', async () => {
    const response = await get(
      `/devices/${DEVICE}/history?from=${iso(from30)}&to=${iso(today)}&resolution=day`,
      owner.idToken,
    );
    const body = (await response.json()) as HistoryResponse;
    expect(body.points).toHaveLength(30);
    expect(body.points[0].readings.temperature).toEqual({ min: 19.5, avg: 26, max: 32.5 });
  });

  it('answers the 400 matrix, 401 without a token and 404 without access', async () => {
    const base = `/devices/${DEVICE}/history`;
    const cases: [string, number, string][] = [
      ['', 400, 'invalid_argument'],
      [`?to=${iso(today)}`, 400, 'invalid_argument'],
      [`?from=yesterday&to=${iso(today)}`, 400, 'invalid_argument'],
      [`?from=${iso(from30)}&to=${iso(today)}&resolution=minute`, 400, 'invalid_argument'],
      [`?from=${iso(today)}&to=${iso(from30)}`, 400, 'invalid_range'],
      [`?from=${iso(today)}&to=${iso(today)}`, 400, 'invalid_range'],
      [`?from=${iso(Date.now() + DAY_MS)}&to=${iso(Date.now() + 2 * DAY_MS)}`, 400, 'invalid_range'],
      [`?from=${iso(today - 3 * DAY_MS)}&to=${iso(today)}&resolution=raw`, 400, 'range_too_long'],
      [`?from=${iso(today - 40 * DAY_MS)}&to=${iso(today)}&resolution=hour`, 400, 'range_too_long'],
      [`?from=${iso(today - 500 * DAY_MS)}&to=${iso(today)}&resolution=day`, 400, 'range_too_long'],
    ];
    for (const [query, status, code] of cases) {
      const response = await get(`${base}${query}`, owner.idToken);
      expect(response.status, query).toBe(status);
      const body = await response.json();
      expect(body.error.code, query).toBe(code);
      expect(body.error.message.length, query).toBeGreaterThan(5);
    }
    const ok = `?from=${iso(from30)}&to=${iso(today)}`;
    expect((await get(`${base}${ok}`, null)).status).toBe(401);
    expect((await get(`${base}${ok}`, stranger.idToken)).status).toBe(404);
    expect((await get(`/devices/ESP32_NOSUCH/history${ok}`, owner.idToken)).status).toBe(404);
    expect((await get(`${base}.csv${ok}`, stranger.idToken)).status).toBe(404);
    // Operators support customers: they read any device's history.
    expect((await get(`${base}${ok}`, operator)).status).toBe(200);
  });
});

/** RFC 4180 parsing, enough for the files the API writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('GET /api/devices/{id}/history.csv', () => {
  it('downloads a file that parses back to the same points', async () => {
    const query = `from=${iso(today - 7 * DAY_MS)}&to=${iso(today)}&resolution=hour`;
    const json = (await (
      await get(`/devices/${DEVICE}/history?${query}`, viewer.idToken)
    ).json()) as HistoryResponse;
    const response = await get(`/devices/${DEVICE}/history.csv?${query}`, viewer.idToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename=".+\.csv"/);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(['time', 'temperature_min', 'temperature_avg', 'temperature_max']);
    expect(rows).toHaveLength(7 * 24);
    const parsed = rows.map(([time, min, avg, max]) => ({
      t: Date.parse(time),
      readings: { temperature: { min: Number(min), avg: Number(avg), max: Number(max) } },
    }));
    expect(parsed).toEqual(json.points);
  });
});

describe('GET /api/admin/analytics', () => {
  it('gives operators the fleet figures of a seeded fleet', async () => {
    const now = Date.now();
    const fleet = [
      { id: 'ESP32_FLEET1', batch: 'B-ANALYTICS-1', claimedAfterH: 24, online: true, firmware: '1.2.0' },
      { id: 'ESP32_FLEET2', batch: 'B-ANALYTICS-1', claimedAfterH: 48, online: false, firmware: '1.2.0' },
      { id: 'ESP32_FLEET3', batch: 'B-ANALYTICS-1', claimedAfterH: null, online: false, firmware: '1.1.0' },
      { id: 'ESP32_FLEET4', batch: 'B-ANALYTICS-2', claimedAfterH: null, online: false, firmware: '1.1.0' },
    ];
    const made = today - 5 * DAY_MS;
    for (const d of fleet)
      await seedDevice(db, d.id, {
        owner: d.claimedAfterH === null ? null : owner.uid,
        batch: d.batch,
        type: '4Relay',
        made,
        claimed: d.claimedAfterH === null ? null : made + d.claimedAfterH * HOUR_MS,
        online: d.online,
        firmware: d.firmware,
      });
    const yesterday = today - DAY_MS;
    await db
      .doc(firestorePaths.historyDay('ESP32_FLEET1', historyDayId(yesterday)))
      .set(
        dayDoc('ESP32_FLEET1', yesterday, { messages: 100, error_codes: { sensor_fault: 3, ota_failed: 1 } }),
      );

    const denied = await get('/admin/analytics?days=7', owner.idToken);
    expect(denied.status).toBe(403);
    for (const days of ['0', '91', 'seven', '1.5'])
      expect((await get(`/admin/analytics?days=${days}`, operator)).status, days).toBe(400);

    const response = await get('/admin/analytics?days=7', operator);
    expect(response.status).toBe(200);
    const body = (await response.json()) as FleetAnalyticsResponse;
    expect(body.per_day).toHaveLength(7);
    expect(body.batches).toEqual(
      expect.arrayContaining([
        { batch_id: 'B-ANALYTICS-1', manufactured: 3, claimed: 2, activation_rate: 2 / 3 },
        { batch_id: 'B-ANALYTICS-2', manufactured: 1, claimed: 0, activation_rate: 0 },
      ]),
    );
    expect(body.time_to_claim_hours).toEqual({ count: 2, median: 48, p90: 48 });
    expect(body.firmware['1.2.0']).toBe(2);
    expect(body.device_types['4Relay']).toBe(4);
    expect(body.top_error_codes.slice(0, 2)).toEqual([
      { code: 'sensor_fault', count: 3 },
      { code: 'ota_failed', count: 1 },
    ]);
    const day = (ms: number) => body.per_day.find((d) => d.day === historyDayId(ms));
    expect(day(made)?.manufactured).toBeGreaterThanOrEqual(4);
    expect(day(made + DAY_MS)?.claimed).toBeGreaterThanOrEqual(1);
    // The seeded history device reports every day; FLEET1 adds its 100 messages yesterday.
    expect(day(yesterday)).toMatchObject({ active: 2, messages: 17_280 + 100 });
    expect(body.totals.online).toBeGreaterThanOrEqual(1);
    expect(new Date(body.generated_at).getTime()).toBeLessThanOrEqual(now + 60_000);
  });
});

describe('retention cleanup', () => {
  it('removes what is due for each plan and nothing else', async () => {
    const now = Date.now();
    const ages = [1, 6, 8, 30, 89, 91, 100, 400];
    const seedAges = async (deviceId: string) => {
      const batch = db.batch();
      for (const age of ages) {
        const start = Math.floor((now - age * DAY_MS) / HOUR_MS) * HOUR_MS;
        batch.set(
          db.doc(firestorePaths.historyHour(deviceId, historyHourId(start))),
          hourDoc(deviceId, start),
        );
        const dayStart = Math.floor((now - age * DAY_MS) / DAY_MS) * DAY_MS;
        batch.set(
          db.doc(firestorePaths.historyDay(deviceId, historyDayId(dayStart))),
          dayDoc(deviceId, dayStart),
        );
        batch.set(db.doc(firestorePaths.usageDay(deviceId, historyDayId(dayStart))), {
          date: historyDayId(dayStart),
          messages: 1,
        });
      }
      await batch.commit();
    };
    const paying = await signUp(stack.authHost!);
    await db.doc(firestorePaths.user(paying.uid)).set({ plan: 'business' });
    await db.doc(firestorePaths.user(owner.uid)).set({ plan: 'free' });
    await seedDevice(db, 'ESP32_RET_FREE', { owner: owner.uid });
    await seedDevice(db, 'ESP32_RET_PAID', { owner: paying.uid });
    await seedDevice(db, 'ESP32_RET_NONE', { owner: null });
    for (const id of ['ESP32_RET_FREE', 'ESP32_RET_PAID', 'ESP32_RET_NONE']) await seedAges(id);

    const result = await runRetention(db, now);
    expect(result.devices).toBeGreaterThanOrEqual(3);

    const agesLeft = async (deviceId: string, sub: string) =>
      (await db.collection(`devices/${deviceId}/${sub}`).get()).docs
        // Whole days back: a day document starts at its UTC midnight, so after noon rounding would add one.
        .map((d) => Math.floor((now - (d.get('start_ms') ?? Date.parse(d.get('date')))) / DAY_MS))
        .sort((a, b) => a - b);
    // free (and no owner): 7 days of hours, 90 days of summaries.
    for (const id of ['ESP32_RET_FREE', 'ESP32_RET_NONE']) {
      expect(await agesLeft(id, 'history_hours'), id).toEqual([1, 6]);
      expect(await agesLeft(id, 'history_days'), id).toEqual([1, 6, 8, 30, 89]);
      expect(await agesLeft(id, 'usage'), id).toEqual([1, 6, 8, 30, 89]);
    }
    // the Business plan: 90 days of hours, 730 of summaries.
    expect(await agesLeft('ESP32_RET_PAID', 'history_hours')).toEqual([1, 6, 8, 30, 89]);
    expect(await agesLeft('ESP32_RET_PAID', 'history_days')).toEqual([1, 6, 8, 30, 89, 91, 100, 400]);
    // The 30 days of the history device above are within the free plan's summaries; its hours older than 7 d went.
    expect((await db.collection(`devices/${DEVICE}/history_days`).get()).size).toBe(30);
    expect((await db.collection(`devices/${DEVICE}/history_hours`).get()).size).toBeLessThanOrEqual(
      7 * 24 + 1,
    );
  });
});
