import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimSerialLimitKey } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call, type ManifestDevice, provision } from '../registry/helpers.ts';

// Claims as an attacker tries them (issue 12), through the real api function, Auth emulator and our Firestore
// emulator, with devices made by the provision CLI: a parallel burst of wrong codes gets at most the limit of
// answers, and strangers hammering a serial from several accounts cannot lock out the holder of its label.
// The Functions emulator starts one worker process per concurrent request (production instances take many), and
// 40 cold workers at once do not fit a 2-core machine; so bursts here run PARALLEL requests at a time, and the
// 40-at-once proof against the claim code path itself is tests/security/claims-concurrency.test.ts.
const PARALLEL = 4;

/** `count` requests made by `request(i)`, at most PARALLEL in flight at once; answers in request order. */
async function burst<T>(count: number, request: (i: number) => Promise<T>): Promise<T[]> {
  const answers: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      answers[i] = await request(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, lane));
  return answers;
}

const LIMITS = { perUser: 10, perSerial: 20 };

let stack: Stack;
let api: string;
let db: Firestore;
let workDir: string;
let pool: ManifestDevice[] = [];

beforeAll(async () => {
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    functionsEnv: {
      CLAIM_FAILURES_PER_USER: String(LIMITS.perUser),
      CLAIM_FAILURES_PER_SERIAL: String(LIMITS.perSerial),
      // Every request of the suite comes from 127.0.0.1; the per-address limit is not what this suite tests.
      CLAIM_FAILURES_PER_ADDRESS: '1000',
    },
  });
  api = stack.apiUrl!;
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'security-claims-'));
  pool = (await provision(stack, { type: '4Relay', count: 4, out: workDir, batch: 'claims-abuse' })).devices;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const nextDevice = () => {
  const device = pool.shift();
  if (!device) throw new Error('no devices left for the suite');
  return device;
};

async function claim(user: TestUser, device: ManifestDevice, code: string) {
  const response = await fetch(`${api}/devices/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.idToken}` },
    body: JSON.stringify({ serial_number: device.serial_number, claim_code: code, device_name: 'บ้าน' }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code, retryAfter: response.headers.get('retry-after') };
}

/** Attempts in a counter's current window (one `w<index>` field per window, functions/src/shared/rate-limits.ts). */
async function count(key: string): Promise<number> {
  const data = (await db.doc(`rate_limits/${key}`).get()).data() ?? {};
  const windows = Object.keys(data)
    .filter((field) => /^w\d+$/.test(field))
    .sort();
  return windows.length ? Number(data[windows.at(-1) as string]) : 0;
}

/** A well-formed code that is not the device's (Crockford base32, 10 symbols). */
const wrongCode = (i: number) => `WR0NG${String(i).padStart(5, '0')}`.replace(/O/g, '0').slice(0, 10);

describe('a burst of wrong claim codes', () => {
  it('40 concurrent from one account: at most the limit answered "wrong code", the rest 429 with Retry-After', async () => {
    const device = nextDevice();
    const guesser = await signUp(stack.authHost!);
    const answers = await burst(40, (i) => claim(guesser, device, wrongCode(i)));
    const wrong = answers.filter((a) => a.status === 403);
    const limited = answers.filter((a) => a.status === 429);
    expect(wrong.every((a) => a.code === 'wrong_claim_code')).toBe(true);
    expect(wrong.length).toBeLessThanOrEqual(LIMITS.perUser);
    expect(wrong.length + limited.length).toBe(40);
    for (const answer of limited) {
      expect(answer.code).toBe('resource_exhausted');
      const seconds = Number(answer.retryAfter);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(3600);
    }
    // The counter holds exactly the wrong codes answered: refused attempts are given back.
    expect(await count(`claim-user:${guesser.uid}`)).toBe(wrong.length);
    // Even the right code waits now for this account: the limit is on the account, not on the code.
    expect((await claim(guesser, device, device.claim_code)).status).toBe(429);
  }, 480_000);
});

describe('strangers hammering a serial', () => {
  it('cannot lock out the holder of the label: attackers exhaust their own limits, the buyer claims', async () => {
    const device = nextDevice();
    const attackers = await Promise.all([1, 2, 3].map(() => signUp(stack.authHost!)));
    const answers: Array<{ attacker: number; status: number }> = [];
    let n = 0;
    for (const [i, attacker] of attackers.entries()) {
      const own = await burst(15, () => claim(attacker, device, wrongCode(1000 + n++)));
      for (const answer of own) answers.push({ attacker: i, status: answer.status });
    }
    for (const i of [0, 1, 2]) {
      const own = answers.filter((a) => a.attacker === i);
      expect(own.filter((a) => a.status === 403).length).toBeLessThanOrEqual(LIMITS.perUser);
      expect(own.filter((a) => a.status !== 403 && a.status !== 429)).toEqual([]);
    }
    // Past the serial's limit every further guess is one per fresh account, and the serial is marked as attacked.
    const wrongAnswers = answers.filter((a) => a.status === 403).length;
    expect(wrongAnswers).toBeLessThanOrEqual(LIMITS.perSerial + 1);
    expect(await count(claimSerialLimitKey(device.serial_number))).toBeGreaterThanOrEqual(LIMITS.perSerial);

    // An attacker with failures of its own cannot try this serial again, even with another code.
    expect((await claim(attackers[0], device, wrongCode(9999))).status).toBe(429);

    const buyer = await signUp(stack.authHost!);
    const claimed = await claim(buyer, device, device.claim_code);
    expect(claimed.status).toBe(201);
    const owner = await db.doc(`devices/${device.device_id}`).get();
    expect(owner.get('owner_uid')).toBe(buyer.uid);
    // The holder's claim cleared the serial's counter; the buyer's own account counted nothing.
    expect((await db.doc(`rate_limits/${claimSerialLimitKey(device.serial_number)}`).get()).exists).toBe(
      false,
    );
    expect(await count(`claim-user:${buyer.uid}`)).toBe(0);
  }, 300_000);

  it('a code reissued by support clears the serial counter', async () => {
    const device = nextDevice();
    const attackers = await Promise.all([1, 2].map(() => signUp(stack.authHost!)));
    for (const attacker of attackers) {
      await burst(10, (i) => claim(attacker, device, wrongCode(2000 + i)));
    }
    const key = `rate_limits/${claimSerialLimitKey(device.serial_number)}`;
    expect(await count(claimSerialLimitKey(device.serial_number))).toBe(LIMITS.perSerial);
    const operator = await operatorToken(stack.authHost!, stack.projectId);
    const reissued = await call(api, 'POST', `/devices/${device.device_id}/claim-code`, { token: operator });
    expect(reissued.status).toBe(200);
    expect((await db.doc(key).get()).exists).toBe(false);
    // The printed label stopped working; the reissued code claims it.
    const buyer = await signUp(stack.authHost!);
    expect((await claim(buyer, device, device.claim_code)).status).toBe(403);
    expect((await claim(buyer, device, reissued.body.claim_code)).status).toBe(201);
  }, 300_000);
});
