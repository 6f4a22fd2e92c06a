import { DAY_MS, DEFAULT_PLANS, PLAN_IDS, type PlanId } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken } from '../e2e/operator.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { seedOwnedDevices } from '../harness/owned-devices.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call } from '../registry/helpers.ts';

// The entitlement matrix through the real API on the emulator stack, billing off (no Stripe key): for each plan
// and each limit, the last allowed action succeeds and the next answers 403 plan_limit naming the limit, what
// the plan allows and the plan that lifts it. Counts up to the limit are seeded with the Admin SDK in the
// shapes the API writes (a Business account's 999 devices are not claimed one by one). Then: a downgrade makes
// the newest devices read-only without deleting anything, operators edit plans and set a customer's plan, and
// the billing routes say billing is off.

let stack: Stack;
let db: Firestore;
let operator: string;

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

const api = (method: string, route: string, token: string | null, body?: unknown) =>
  call(stack.apiUrl!, method, route, { ...(token ? { token } : {}), body });
const upgradeOf: Record<PlanId, PlanId | null> = { free: 'pro', pro: 'business', business: null };

async function customer(plan: PlanId): Promise<TestUser> {
  const user = await signUp(stack.authHost!);
  await db.doc(`users/${user.uid}`).set({ plan });
  return user;
}

const seedDevices = (uid: string, count: number, type?: string) => seedOwnedDevices(db, uid, count, { type });

async function claimable() {
  const made = await api('POST', '/devices', operator, { device_type: '4Relay', firmware_version: '1.0.0' });
  expect(made.status).toBe(201);
  return made.body as { serial_number: string; claim_code: string; device_id: string };
}

function expectPlanLimit(
  answer: { status: number; body: { error?: { code: string; details?: unknown } } },
  plan: PlanId,
  limit: string,
  allowed: unknown,
  upgradeTo = upgradeOf[plan],
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(403);
  expect(answer.body.error).toMatchObject({
    code: 'plan_limit',
    details: { limit, allowed, plan, upgradeTo },
  });
}

describe.each(PLAN_IDS)('the %s plan', (plan) => {
  const allows = DEFAULT_PLANS[plan].entitlements;

  it(`claims up to ${allows.devices} devices, then answers plan_limit`, async () => {
    const user = await customer(plan);
    await seedDevices(user.uid, allows.devices - 1);
    const [last, over] = [await claimable(), await claimable()];
    const register = (device: typeof last) =>
      api('POST', '/devices/register', user.idToken, {
        serial_number: device.serial_number,
        claim_code: device.claim_code,
        device_name: 'ห้องนอน 🛏️',
      });
    expect((await register(last)).status).toBe(201);
    expectPlanLimit(await register(over), plan, 'devices', allows.devices);
    expect((await db.doc(`devices/${over.device_id}`).get()).get('owner_uid')).toBeNull();
  });

  it(`shares a device with up to ${allows.sharedUsersPerDevice} people`, async () => {
    const owner = await customer(plan);
    const [deviceId] = await seedDevices(owner.uid, 1);
    const batch = db.batch();
    for (let i = 0; i < allows.sharedUsersPerDevice - 1; i++)
      batch.set(db.doc(`user_devices/seat${i}_${deviceId}`), {
        user_id: `seat${i}`,
        device_id: deviceId,
        device_name: 'x',
        access_level: 'viewer',
        added_at: Timestamp.now(),
        last_accessed: Timestamp.now(),
      });
    await batch.commit();
    const [last, over] = await Promise.all([
      signUpVerified(stack.authHost!, stack.projectId),
      signUpVerified(stack.authHost!, stack.projectId),
    ]);
    const share = (to: TestUser) =>
      api('POST', `/devices/${deviceId}/shares`, owner.idToken, { email: to.email, access_level: 'viewer' });
    expect((await share(last)).status).toBe(201);
    expectPlanLimit(await share(over), plan, 'sharedUsersPerDevice', allows.sharedUsersPerDevice);
    // Changing the level of someone already in is no new seat.
    expect(
      (
        await api('POST', `/devices/${deviceId}/shares`, owner.idToken, {
          email: last.email,
          access_level: 'controller',
        })
      ).status,
    ).toBe(200);
  });

  it(`makes ${allows.alertRulesPerDevice} alert rules per device`, async () => {
    const owner = await customer(plan);
    const [deviceId] = await seedDevices(owner.uid, 1);
    const batch = db.batch();
    for (let i = 0; i < allows.alertRulesPerDevice - 1; i++)
      batch.set(db.doc(`alert_rules/${deviceId}_seed${i}`), {
        rule_id: `${deviceId}_seed${i}`,
        device_id: deviceId,
        owner_uid: owner.uid,
        name: null,
        condition: { kind: 'offline', minutes: 10 },
        severity: 'info',
        enabled: true,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      });
    await batch.commit();
    const rule = {
      condition: {
        kind: 'threshold',
        reading: 'temperature',
        direction: 'above',
        threshold: 30,
        hysteresis: 1,
      },
      severity: 'warning',
    };
    expect((await api('POST', `/devices/${deviceId}/alert-rules`, owner.idToken, rule)).status).toBe(201);
    expectPlanLimit(
      await api('POST', `/devices/${deviceId}/alert-rules`, owner.idToken, rule),
      plan,
      'alertRulesPerDevice',
      allows.alertRulesPerDevice,
    );
  });

  it('alert webhooks: not in Free; up to the plan’s count otherwise', async () => {
    const owner = await customer(plan);
    const hasWebhooks = allows.alertChannels.includes('webhook');
    // Notification settings: the defaults offer only the plan's channels; choosing webhook needs it.
    const {
      email: _email,
      updated_at: _at,
      ...defaults
    } = (await api('GET', `/users/${owner.uid}/notification-settings`, owner.idToken)).body;
    expect(defaults.channels.critical.includes('webhook')).toBe(hasWebhooks);
    expect(
      (await api('PUT', `/users/${owner.uid}/notification-settings`, owner.idToken, defaults)).status,
    ).toBe(200);
    const withWebhook = await api('PUT', `/users/${owner.uid}/notification-settings`, owner.idToken, {
      ...defaults,
      channels: { ...defaults.channels, critical: ['in_app', 'webhook'] },
    });
    if (hasWebhooks) expect(withWebhook.status).toBe(200);
    else expectPlanLimit(withWebhook, plan, 'alertChannels', allows.alertChannels);
    const create = () =>
      api('POST', `/users/${owner.uid}/webhooks`, owner.idToken, {
        url: 'https://hooks.example.test/alerts',
      });
    if (!allows.alertChannels.includes('webhook')) {
      expectPlanLimit(await create(), plan, 'alertChannels', allows.alertChannels);
      return;
    }
    const batch = db.batch();
    for (let i = 0; i < allows.webhooksPerUser - 1; i++)
      batch.set(db.doc(`webhooks/${owner.uid}_seed${i}`), {
        webhook_id: `${owner.uid}_seed${i}`,
        owner_uid: owner.uid,
        url: 'https://hooks.example.test/seed',
        description: null,
        secret: 'whsec_seed',
        enabled: true,
        consecutive_failures: 0,
        disabled_reason: null,
        created_at: new Date().toISOString(),
      });
    await batch.commit();
    expect((await create()).status).toBe(201);
    expectPlanLimit(await create(), plan, 'webhooksPerUser', allows.webhooksPerUser);
  });

  it(`reads ${allows.historyDetailDays} days of detail and ${allows.historySummaryDays} of summaries`, async () => {
    const owner = await customer(plan);
    const [deviceId] = await seedDevices(owner.uid, 1);
    const now = Date.now();
    const history = (fromDaysAgo: number, toDaysAgo: number, resolution: string) =>
      api(
        'GET',
        `/devices/${deviceId}/history?from=${now - fromDaysAgo * DAY_MS}&to=${now - toDaysAgo * DAY_MS}&resolution=${resolution}`,
        owner.idToken,
      );
    const detail = allows.historyDetailDays;
    expect((await history(detail - 1, detail - 2, 'hour')).status).toBe(200);
    const tooOldDetail = await history(detail + 1, detail, 'hour');
    const summary = allows.historySummaryDays;
    expect((await history(summary - 1, summary - 30, 'day')).status).toBe(200);
    const tooOldSummary = await history(summary + 1, summary - 30, 'day');
    expectPlanLimit(tooOldDetail, plan, 'historyDetailDays', detail);
    expectPlanLimit(tooOldSummary, plan, 'historySummaryDays', summary);
  });
});

describe('a downgrade', () => {
  it('makes the devices claimed last read-only, deletes nothing, and an upgrade lifts it', async () => {
    const user = await customer('pro');
    const ids = await seedDevices(user.uid, DEFAULT_PLANS.free.entitlements.devices + 2, '4Relay');
    const control = (id: string) =>
      api('POST', `/devices/${id}/control`, user.idToken, { command: 'relay', pin: 25, state: 'on' });
    // On Pro every device passes the plan check (they are offline, so the answer is 409 device_offline).
    expect((await control(ids.at(-1)!)).status).toBe(409);

    const downgraded = await api('PUT', `/admin/customers/${user.uid}/plan`, operator, { plan: 'free' });
    expect(downgraded.status).toBe(200);
    expect(downgraded.body).toMatchObject({ plan: 'free', read_only_devices: 2, usage: { devices: 7 } });
    for (const id of ids.slice(0, 5)) expect((await control(id)).body.error.code).toBe('device_offline');
    for (const id of ids.slice(5)) expectPlanLimit(await control(id), 'free', 'devices', 5, 'pro');
    const rule = { condition: { kind: 'offline', minutes: 10 }, severity: 'info' };
    expect((await api('POST', `/devices/${ids[6]}/alert-rules`, user.idToken, rule)).body.error.code).toBe(
      'plan_limit',
    );
    // "All off in this room" skips a read-only device with its own result, and still switches the others.
    for (const id of [ids[4], ids[6]])
      await db.doc(`devices/${id}`).update({ room: 'ครัว', 'state.online': true });
    const roomOff = await api('POST', '/rooms/off', user.idToken, { room: 'ครัว' });
    expect(roomOff.status).toBe(200);
    const byId = Object.fromEntries(
      roomOff.body.devices.map((d: { device_id: string; result: string }) => [d.device_id, d.result]),
    );
    expect(byId[ids[6]]).toBe('read_only');
    expect(byId[ids[4]]).not.toBe('read_only');
    for (const id of [ids[4], ids[6]]) await db.doc(`devices/${id}`).update({ 'state.online': false });
    // Nothing is gone: every device is still listed and readable.
    const listed = await api('GET', `/users/${user.uid}/devices`, user.idToken);
    expect(listed.body.devices.map((d: { device_id: string }) => d.device_id).sort()).toEqual(
      [...ids].sort(),
    );
    expect((await api('GET', `/devices/${ids[6]}/status`, user.idToken)).status).toBe(200);
    // Claiming more is refused too while over the limit.
    const more = await claimable();
    const claim = await api('POST', '/devices/register', user.idToken, {
      serial_number: more.serial_number,
      claim_code: more.claim_code,
      device_name: 'เพิ่ม',
    });
    expectPlanLimit(claim, 'free', 'devices', 5, 'pro');

    await api('PUT', `/admin/customers/${user.uid}/plan`, operator, { plan: 'pro' });
    expect((await control(ids[6])).body.error.code).toBe('device_offline');
  });
});

describe('a transfer', () => {
  it('counts against the recipient’s device limit when accepted', async () => {
    const giver = await customer('free');
    const [deviceId] = await seedDevices(giver.uid, 1);
    const recipient = await signUpVerified(stack.authHost!, stack.projectId);
    await seedDevices(recipient.uid, DEFAULT_PLANS.free.entitlements.devices);
    const offered = await api('POST', `/devices/${deviceId}/transfer`, giver.idToken, {
      email: recipient.email,
    });
    expect(offered.status, JSON.stringify(offered.body)).toBe(201);
    const accept = () =>
      api('POST', `/users/${recipient.uid}/transfers/${deviceId}/accept`, recipient.idToken);
    expectPlanLimit(await accept(), 'free', 'devices', 5, 'pro');
    expect((await db.doc(`devices/${deviceId}`).get()).get('owner_uid')).toBe(giver.uid);
    await db.doc(`users/${recipient.uid}`).set({ plan: 'pro' });
    expect((await accept()).status).toBe(200);
  });
});

describe('operators and billing off', () => {
  it('anyone signed in reads the plans; only operators edit them, set a plan or read a customer', async () => {
    const user = await signUp(stack.authHost!);
    const plans = await api('GET', '/plans', user.idToken);
    expect(plans.status).toBe(200);
    expect(plans.body.billing_enabled).toBe(false);
    expect(plans.body.plans.map((p: { id: string }) => p.id)).toEqual(['free', 'pro', 'business']);
    expect(plans.body.plans[1]).toMatchObject({ priceThbMonthly: 199 });
    expect((await api('GET', '/plans', null)).status).toBe(401);

    const edit = { priceThbMonthly: 249, name: { th: 'โปร', en: 'Pro' } };
    expect((await api('PUT', '/admin/plans/pro', user.idToken, edit)).status).toBe(403);
    expect((await api('PUT', '/admin/plans/gold', operator, edit)).status).toBe(404);
    expect((await api('PUT', '/admin/plans/pro', operator, { entitlements: { devices: -1 } })).status).toBe(
      400,
    );
    const edited = await api('PUT', '/admin/plans/pro', operator, edit);
    expect(edited.body).toMatchObject({ id: 'pro', priceThbMonthly: 249, entitlements: { devices: 50 } });
    expect((await db.doc('plans/pro').get()).get('priceThbMonthly')).toBe(249);
    await api('PUT', '/admin/plans/pro', operator, { priceThbMonthly: 199 });

    expect(
      (await api('PUT', `/admin/customers/${user.uid}/plan`, user.idToken, { plan: 'business' })).status,
    ).toBe(403);
    await db.doc(`usage_monthly/${user.uid}_2026-11`).set({ messages: 1234, api_calls: 56, devices: 3 });
    const read = await api('GET', `/admin/customers/${user.uid}/account?month=2026-11`, operator);
    expect(read.body).toMatchObject({
      plan: 'free',
      usage: { month: '2026-11', messages: 1234, api_calls: 56, devices: 3 },
    });
    expect((await api('GET', `/admin/customers/${user.uid}/account`, user.idToken)).status).toBe(403);
  });

  it('without a Stripe key the billing routes answer 503 billing_disabled and the account says so', async () => {
    const user = await signUp(stack.authHost!);
    for (const [route, body] of [
      ['/billing/checkout', { plan: 'pro' }],
      ['/billing/portal', undefined],
      ['/billing/webhook', {}],
    ] as const) {
      const answer = await api('POST', route, route === '/billing/webhook' ? null : user.idToken, body);
      expect(answer, route).toMatchObject({ status: 503, body: { error: { code: 'billing_disabled' } } });
    }
    const view = await api('GET', '/billing/account', user.idToken);
    expect(view.body).toMatchObject({
      plan: 'free',
      billing: { enabled: false, status: 'none', invoices: [] },
    });
  });
});
