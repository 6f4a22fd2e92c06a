import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEVICE_TYPES } from '../src/catalogue.ts';
import { compiledCheck, INVALID } from '../src/fast-validate.ts';
import {
  ackPayloadSchema,
  controlPayloadSchema,
  decodePayload,
  heartbeatPayloadSchema,
  logPayloadSchema,
  resetPayloadSchema,
  statusPayloadFor,
  statusPayloadSchema,
} from '../src/payloads.ts';

// The compiled check must accept exactly what zod accepts and return exactly zod's output (unknown keys
// stripped, update_interval clamped), for every payload schema: valid samples, and every sample mutated field
// by field into values around each bound and of every other JSON type.

const status = {
  v: 1,
  online: true,
  outputs: { relay1: true, relay2: false, relay3: false, relay4: false },
  readings: { temperature: 24.5, humidity: 51 },
  firmware: '1.4.2-rc.1+b7',
  rssi: -61,
  uptime_s: 86_400,
  update_interval: 30,
  ts: 1_764_633_600_000,
};
const heartbeat = { v: 1, uptime_s: 1234, rssi: -50, free_heap: 160_000, ts: 0 };
const ackOk = {
  v: 1,
  id: 'cmd_1-a',
  ok: true,
  result: { any: [1, 'x'] },
  state: { outputs: { relay1: true } },
};
const ackFailed = { v: 1, id: 'cmd-2', ok: false, error: { code: 'busy', message: 'try later' } };
const log = { v: 1, level: 'error', message: 'boot', fields: { code: 'E1', n: 2, ok: true, none: null } };
const reset = { v: 1, kind: 'factory', reset_id: 'r-1', firmware: '1.0.0', ts: 5 };
const control = { v: 1, id: 'c1', command: 'relay', pin: 25, state: 'on' };

const nasty: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  1.5,
  -127,
  -128,
  64,
  65,
  100,
  101,
  3600,
  315_360_000,
  315_360_001,
  4_102_444_800_000,
  4_102_444_800_001,
  2 ** 53,
  1e308,
  '',
  'x',
  'x'.repeat(32),
  'x'.repeat(33),
  'x'.repeat(64),
  'x'.repeat(65),
  '1.0 beta',
  'ห้องนั่งเล่น',
  '#ff00aa',
  'factory',
  'debug',
  [],
  [1],
  {},
  { a: 1 },
  { '': 1 },
  { ['k'.repeat(65)]: true },
  { relay1: 'x'.repeat(65) },
  JSON.parse('{"__proto__": {"polluted": 1}}'),
];

/** The sample, then a copy per (path, value) with that field replaced, removed, or an extra key added. */
function mutations(sample: unknown): unknown[] {
  const out: unknown[] = [sample];
  if (typeof sample !== 'object' || sample === null) return out;
  const record = sample as Record<string, unknown>;
  out.push({ ...record, unknown_key: 1 });
  for (const key of Object.keys(record)) {
    const { [key]: _removed, ...without } = record;
    out.push(without);
    for (const value of nasty) out.push({ ...record, [key]: value });
    for (const inner of mutations(record[key]).slice(1)) out.push({ ...record, [key]: inner });
  }
  return out;
}

function agree(schema: z.ZodType, samples: unknown[]): number {
  let valid = 0;
  for (const value of samples) {
    const byZod = schema.safeParse(value);
    const fast = compiledCheck(schema)(value);
    const label = JSON.stringify(value);
    expect(fast !== INVALID, label).toBe(byZod.success);
    if (byZod.success) {
      valid++;
      expect(fast, label).toStrictEqual(byZod.data);
    }
  }
  return valid;
}

describe('compiled payload checks agree with zod', () => {
  const cases: [string, z.ZodType, unknown[]][] = [
    ['status', statusPayloadSchema, [status, { v: 1, online: false }]],
    ['heartbeat', heartbeatPayloadSchema, [heartbeat, { v: 1 }]],
    ['ack', ackPayloadSchema, [ackOk, ackFailed]],
    ['log', logPayloadSchema, [log]],
    ['reset', resetPayloadSchema, [reset]],
    ['control (passthrough)', controlPayloadSchema, [control]],
    ...DEVICE_TYPES.map((type): [string, z.ZodType, unknown[]] => [
      `status of a ${type}`,
      statusPayloadFor(type),
      [
        status,
        { ...status, outputs: { power: true, brightness: 40, color: '#ff00aa' }, readings: {} },
        { ...status, outputs: {}, readings: { temperature: 24.5 } },
      ],
    ]),
  ];
  for (const [name, schema, valid] of cases) {
    it(`${name}: valid and mutated samples`, () => {
      const samples = valid.flatMap(mutations);
      const accepted = agree(schema, samples);
      // Both sides are exercised: many samples are refused and the originals accepted.
      expect(accepted).toBeGreaterThanOrEqual(1);
      expect(samples.length - accepted).toBeGreaterThan(10);
    });
  }

  it('returns zod output: unknown keys stripped, update_interval clamped, passthrough kept', () => {
    const out = compiledCheck(statusPayloadSchema)({ ...status, update_interval: 10 ** 9, extra: 'x' });
    expect(out).toStrictEqual(statusPayloadSchema.parse({ ...status, update_interval: 10 ** 9 }));
    expect((out as { update_interval: number }).update_interval).toBeLessThan(10 ** 9);
    expect(compiledCheck(controlPayloadSchema)(control)).toStrictEqual(control);
  });

  it('hands nodes it has no native form for to zod (a refinement still refuses)', () => {
    const refined = z.object({ n: z.number().refine((n) => n % 2 === 0, 'even') });
    expect(compiledCheck(refined)({ n: 2 })).toStrictEqual({ n: 2 });
    expect(compiledCheck(refined)({ n: 3 })).toBe(INVALID);
  });

  it('decodePayload still words the error of an invalid payload', () => {
    const result = decodePayload(heartbeatPayloadSchema, Buffer.from('{"v":1,"uptime_s":"long"}'));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^uptime_s: /) });
    expect(decodePayload(statusPayloadSchema, Buffer.from([0xff, 0xfe]))).toEqual({
      ok: false,
      error: 'payload is not valid UTF-8',
    });
  });
});
