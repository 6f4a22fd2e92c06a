import { DEFAULT_PLANS } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken } from '../e2e/operator.ts';
import { signUpVerified, type TestUser } from '../harness/auth.ts';
import { seedOwnedDevices } from '../harness/owned-devices.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call } from '../registry/helpers.ts';

// The device limit under concurrency, through the real API: claims (and transfer acceptances) that arrive at
// the same moment for an account one device short of its limit must not both pass the check. Each claim's
// transaction rewrites the account's claim_locks document, so one of them retries after the other committed
// and counts its device (plans/enforce.ts requireDeviceRoom).

let stack: Stack;
let db: Firestore;
let operator: string;
const FREE_DEVICES = DEFAULT_PLANS.free.entitlements.devices;

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  operator = await operatorToken(stack.authHost!, stack.projectId);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const api = (method: string, route: string, token: string, body?: unknown) =>
  call(stack.apiUrl!, method, route, { token, body });

async function claimable() {
  const made = await api('POST', '/devices', operator, { device_type: '4Relay', firmware_version: '1.0.0' });
  expect(made.status).toBe(201);
  return made.body as { serial_number: string; claim_code: string; device_id: string };
}

async function freeCustomerOneShort(): Promise<TestUser> {
  const user = await signUpVerified(stack.authHost!, stack.projectId);
  await db.doc(`users/${user.uid}`).set({ plan: 'free' });
  await seedOwnedDevices(db, user.uid, FREE_DEVICES - 1, { prefix: 'RACE' });
  return user;
}

const owned = async (uid: string) =>
  (await db.collection('devices').where('owner_uid', '==', uid).count().get()).data().count;

describe('the device limit under concurrent claims', { timeout: 180_000 }, () => {
  it('three claims at once for a Free account at 4 of 5: exactly one passes, the account ends at 5', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await freeCustomerOneShort();
      const devices = await Promise.all([claimable(), claimable(), claimable()]);
      const answers = await Promise.all(
        devices.map((device) =>
          api('POST', '/devices/register', user.idToken, {
            serial_number: device.serial_number,
            claim_code: device.claim_code,
            device_name: `ห้อง ${device.serial_number.slice(-4)}`,
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses, JSON.stringify(answers.map((a) => a.body))).toEqual([201, 403, 403]);
      for (const refused of answers.filter((a) => a.status === 403))
        expect(refused.body.error).toMatchObject({
          code: 'plan_limit',
          details: { limit: 'devices', allowed: FREE_DEVICES, plan: 'free', upgradeTo: 'pro' },
        });
      expect(await owned(user.uid)).toBe(FREE_DEVICES);
    }
  });

  it('a claim and an accepted transfer at once: one passes, the other answers plan_limit', async () => {
    const user = await freeCustomerOneShort();
    const sender = await signUpVerified(stack.authHost!, stack.projectId);
    const [given] = await seedOwnedDevices(db, sender.uid, 1, { prefix: 'GIFT' });
    const offered = await api('POST', `/devices/${given}/transfer`, sender.idToken, { email: user.email });
    expect(offered.status, JSON.stringify(offered.body)).toBe(201);
    const device = await claimable();
    const [claim, accept] = await Promise.all([
      api('POST', '/devices/register', user.idToken, {
        serial_number: device.serial_number,
        claim_code: device.claim_code,
        device_name: 'โรงรถ',
      }),
      api('POST', `/users/${user.uid}/transfers/${given}/accept`, user.idToken),
    ]);
    const passed = [claim.status === 201, accept.status === 200].filter(Boolean).length;
    expect(passed, JSON.stringify([claim.body, accept.body])).toBe(1);
    const refused = claim.status === 201 ? accept : claim;
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('plan_limit');
    expect(await owned(user.uid)).toBe(FREE_DEVICES);
  });

  it('a released device frees its place at once: the next claim passes without any counter to repair', async () => {
    const user = await freeCustomerOneShort();
    const first = await claimable();
    const claim = (device: typeof first) =>
      api('POST', '/devices/register', user.idToken, {
        serial_number: device.serial_number,
        claim_code: device.claim_code,
        device_name: 'ระเบียง',
      });
    expect((await claim(first)).status).toBe(201);
    const next = await claimable();
    expect((await claim(next)).status).toBe(403);
    const released = await api('DELETE', `/users/${user.uid}/devices/${first.device_id}`, user.idToken);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect((await claim(next)).status).toBe(201);
    expect(await owned(user.uid)).toBe(FREE_DEVICES);
  });
});
