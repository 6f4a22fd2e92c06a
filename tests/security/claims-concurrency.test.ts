import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClaimSettings, claimDevice } from '@esp32cloud/functions/claims';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { type ManifestDevice, provision } from '../registry/helpers.ts';

// The claim code path itself under real concurrency, against our Firestore emulator with devices made by the
// provision CLI: many claims at once in this process (the Functions emulator starts one worker process per
// concurrent request, which the API-level burst in claims-abuse.test.ts pays for; this suite isolates the
// counting). Same function the api route calls.

const settings: ClaimSettings = {
  pepper: 'esp32cloud-local-development-pepper',
  deviceBrokerUrl: 'mqtt://127.0.0.1:1883',
  perUser: { limit: 10, windowSeconds: 3600 },
  perSerial: { limit: 20, windowSeconds: 3600 },
  perAddress: { limit: 1000, windowSeconds: 3600 },
};

let stack: Stack;
let db: Firestore;
let workDir: string;
let pool: ManifestDevice[] = [];

beforeAll(async () => {
  stack = await startStack({ firestore: true });
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'security-concurrency-'));
  pool = (await provision(stack, { type: '4Relay', count: 2, out: workDir, batch: 'concurrency' })).devices;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const wrongCode = (i: number) => `WR0NG${String(i).padStart(5, '0')}`.slice(0, 10);

async function attempt(uid: string, device: ManifestDevice, code: string) {
  try {
    const result = await claimDevice(db, settings, {
      uid,
      serialNumber: device.serial_number,
      claimCode: code,
      deviceName: 'บ้าน',
      ip: '203.0.113.7',
    });
    return { status: result.status as number, code: 'ok', retryAfter: undefined };
  } catch (error) {
    const e = error as { status?: number; code?: string; headers?: Record<string, string> };
    return { status: e.status ?? 500, code: e.code ?? String(error), retryAfter: e.headers?.['retry-after'] };
  }
}

describe('claim attempts counted before the code is checked', () => {
  it('40 wrong codes at once from one account: at most 10 "wrong code", the rest 429 with Retry-After', async () => {
    const device = pool[0];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt('guesser', device, wrongCode(i))),
    );
    const wrong = answers.filter((a) => a.status === 403 && a.code === 'wrong_claim_code');
    const limited = answers.filter((a) => a.status === 429);
    expect(wrong.length).toBeLessThanOrEqual(10);
    expect(wrong.length + limited.length).toBe(40);
    for (const answer of limited) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  }, 120_000);

  it('three attacker accounts hammering one serial at once cannot lock out the holder of the label', async () => {
    const device = pool[1];
    const bursts = await Promise.all(
      ['a1', 'a2', 'a3'].map((uid, k) =>
        Promise.all(Array.from({ length: 15 }, (_, i) => attempt(uid, device, wrongCode(100 * (k + 1) + i)))),
      ),
    );
    for (const burst of bursts) {
      expect(burst.filter((a) => a.status === 403).length).toBeLessThanOrEqual(10);
      expect(burst.filter((a) => a.status !== 403 && a.status !== 429)).toEqual([]);
    }
    expect(bursts.flat().filter((a) => a.status === 403).length).toBeLessThanOrEqual(21);
    expect(await attempt('buyer', device, device.claim_code)).toMatchObject({ status: 201 });
    expect((await db.doc(`devices/${device.device_id}`).get()).get('owner_uid')).toBe('buyer');
  }, 120_000);
});
