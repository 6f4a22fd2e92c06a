import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';

// Integration API keys through the real api function (Functions emulator), the Auth emulator and our
// Firestore emulator: plans gate creation, scopes gate what a key reaches, revoked and expired keys get 401,
// the per-plan rate limit answers 429 with Retry-After, and requests are metered into usage_monthly.

let stack: Stack;
let api: string;
let db: Firestore;
const appName = `api-keys-${Math.random().toString(36).slice(2)}`;

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely by the assertions.
type Json = any;

async function call(method: string, path: string, credential: string, body?: unknown) {
  const response = await fetch(`${api}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : null) as Json,
  };
}

/** A device the user owns, written directly (the claim flow has its own suites). */
async function ownedDevice(uid: string, deviceId: string): Promise<void> {
  await db.doc(`devices/${deviceId}`).set({
    device_id: deviceId,
    serial_number: `SN-${deviceId}`,
    device_type: '4Relay',
    firmware_version: '1.0.0',
    manufacturing_date: Timestamp.now(),
    status: 'active',
    created_at: Timestamp.now(),
    batch_id: null,
    owner_uid: uid,
    state: { online: false, last_seen: null, outputs: {}, readings: {} },
    desired: null,
  });
  await db.doc(`user_devices/${uid}_${deviceId}`).set({
    user_id: uid,
    device_id: deviceId,
    device_name: 'ห้องครัว',
    access_level: 'owner',
    added_at: Timestamp.now(),
    last_accessed: Timestamp.now(),
  });
}

async function customer(plan: 'free' | 'pro' | 'business'): Promise<TestUser> {
  const user = await signUp(stack.authHost!);
  await db.doc(`users/${user.uid}`).set({ plan }, { merge: true });
  return user;
}

const createKey = (user: TestUser, body: Record<string, unknown>) =>
  call('POST', `/users/${user.uid}/api-keys`, user.idToken, body);

beforeAll(async () => {
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    // Every request looks the key's owner up in Auth, so a disabled account is seen at the next request.
    functionsEnv: { API_KEY_OWNER_CHECK_SECONDS: '0' },
  });
  useStackEnv(stack);
  api = stack.apiUrl!;
  process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
  db = getFirestore(initializeApp({ projectId: stack.projectId }, appName));
}, 240_000);

afterAll(async () => {
  if (db) await deleteApp(getApp(appName)).catch(() => undefined);
  await stack?.stop();
});

describe('API keys', { timeout: 120_000 }, () => {
  it('Free plan cannot create a key: 403 plan_limit naming the plan that lifts it', async () => {
    const user = await customer('free');
    const reply = await createKey(user, { name: 'ERP', scope: 'read' });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({
      code: 'plan_limit',
      details: { limit: 'apiAccess', allowed: false, plan: 'free', upgradeTo: 'pro' },
    });
  });

  it('shows the key once, stores only its hash, and a read key reads but cannot control', async () => {
    const user = await customer('pro');
    await ownedDevice(user.uid, `dev-read-${user.uid.slice(0, 6)}`);
    const created = await createKey(user, { name: 'Dashboard', scope: 'read' });
    expect(created.status).toBe(201);
    const key: string = created.body.api_key;
    expect(key).toMatch(/^e32k_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(created.body.display_prefix)).toBe(true);

    const stored = (await db.collection('api_keys').where('owner_uid', '==', user.uid).get()).docs;
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0].data())).not.toContain(key);
    const listed = await call('GET', `/users/${user.uid}/api-keys`, user.idToken);
    expect(listed.body.keys).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const deviceId = `dev-read-${user.uid.slice(0, 6)}`;
    const devices = await call('GET', `/users/${user.uid}/devices`, key);
    expect(devices.status).toBe(200);
    expect(devices.body.devices.map((d: Json) => d.device_id)).toEqual([deviceId]);
    expect(devices.headers.get('x-ratelimit-limit')).toBe('60');
    expect((await call('GET', `/devices/${deviceId}/status`, key)).status).toBe(200);

    const control = await call('POST', `/devices/${deviceId}/control`, key, {
      command: 'relay',
      pin: 25,
      state: 'on',
    });
    expect(control.status).toBe(403);
    expect(control.body.error.code).toBe('insufficient_scope');
    // A key cannot manage keys, and a customer's key never reaches operator routes.
    expect((await call('GET', `/users/${user.uid}/api-keys`, key)).body.error.code).toBe('id_token_required');
    const admin = await createKey(user, { name: 'Admin', scope: 'admin' });
    expect((await call('GET', '/admin/metrics', admin.body.api_key)).status).toBe(403);

    const after = await call('GET', `/users/${user.uid}/api-keys`, user.idToken);
    const used = after.body.keys.find((k: Json) => k.key_id === created.body.key_id);
    expect(Date.parse(used.last_used_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("an operator's admin key reaches operator routes; its read key does not", async () => {
    const token = await operatorToken(stack.authHost!, stack.projectId);
    const uid = (await call('GET', '/me', token)).body.uid as string;
    await db.doc(`users/${uid}`).set({ plan: 'business' }, { merge: true });
    const create = (scope: string) => call('POST', `/users/${uid}/api-keys`, token, { name: scope, scope });
    const admin = (await create('admin')).body.api_key;
    const read = (await create('read')).body.api_key;
    expect((await call('GET', '/admin/metrics', admin)).status).toBe(200);
    const refused = await call('GET', '/admin/metrics', read);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'insufficient_scope', details: { needed: 'admin' } });
  });

  it('a key limited to some devices sees only those', async () => {
    const user = await customer('pro');
    const mine = `dev-a-${user.uid.slice(0, 6)}`;
    const other = `dev-b-${user.uid.slice(0, 6)}`;
    await ownedDevice(user.uid, mine);
    await ownedDevice(user.uid, other);
    const created = await createKey(user, { name: 'One device', scope: 'control', device_ids: [mine] });
    expect(created.status).toBe(201);
    const key = created.body.api_key;
    expect((await call('GET', `/devices/${mine}/status`, key)).status).toBe(200);
    expect((await call('GET', `/devices/${other}/status`, key)).status).toBe(404);
    const list = await call('GET', `/users/${user.uid}/devices`, key);
    expect(list.body.devices.map((d: Json) => d.device_id)).toEqual([mine]);
    // A device that is not the customer's cannot be named on a key.
    expect((await createKey(user, { name: 'x', scope: 'read', device_ids: ['not-mine'] })).status).toBe(404);
  });

  it('revoked and expired keys get 401', async () => {
    const user = await customer('business');
    const created = await createKey(user, { name: 'Soon gone', scope: 'read', expires_in_days: 30 });
    const key = created.body.api_key;
    expect((await call('GET', '/me', key)).status).toBe(200);
    const revoked = await call('DELETE', `/users/${user.uid}/api-keys/${created.body.key_id}`, user.idToken);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const afterRevoke = await call('GET', '/me', key);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.error.message).toContain('revoked');

    const second = await createKey(user, { name: 'Expiring', scope: 'read', expires_in_days: 1 });
    const [doc] = (await db.collection('api_keys').where('key_id', '==', second.body.key_id).get()).docs;
    await doc.ref.update({ expires_at: Timestamp.fromMillis(Date.now() - 1000) });
    const expired = await call('GET', '/me', second.body.api_key);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
    expect((await call('GET', '/me', 'e32k_nonsense')).status).toBe(401);
  });

  it('a key stops working when its owner account is disabled, and again after it is deleted', async () => {
    const user = await customer('pro');
    const created = await createKey(user, { name: 'ERP', scope: 'read' });
    const key = created.body.api_key;
    expect((await call('GET', '/me', key)).status).toBe(200);
    const auth = getAuth(getApp(appName));
    await auth.updateUser(user.uid, { disabled: true });
    const disabled = await call('GET', '/me', key);
    expect(disabled.status).toBe(401);
    expect(disabled.body.error.message).toContain('disabled or gone');
    await auth.updateUser(user.uid, { disabled: false });
    expect((await call('GET', '/me', key)).status).toBe(200);
    await auth.deleteUser(user.uid);
    expect((await call('GET', '/me', key)).status).toBe(401);
  });

  it('a key stops working when the plan loses API access (downgrade)', async () => {
    const user = await customer('pro');
    const created = await createKey(user, { name: 'ERP', scope: 'read' });
    await db.doc(`users/${user.uid}`).set({ plan: 'free' }, { merge: true });
    const reply = await call('GET', '/me', created.body.api_key);
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('plan_limit');
  });

  it('rate-limits per plan with 429 and Retry-After, and meters finished minutes into usage_monthly', async () => {
    const user = await customer('pro');
    const key = (await createKey(user, { name: 'Busy', scope: 'read' })).body.api_key;
    // Start early in a minute window, so the 61 requests usually fit in one (bounded wait, at most 25 s).
    while (Date.now() % 60_000 > 35_000) await new Promise((resolve) => setTimeout(resolve, 500));
    // A finished minute's count left from earlier: the first request of a new minute folds it into api_calls.
    const windowIndex = Math.floor(Date.now() / 60_000);
    await db.doc(`rate_limits/api-requests:${user.uid}`).set({ [`w${windowIndex - 3}`]: 7 });
    let refused: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 130 && !refused; i++) {
      const reply = await call('GET', '/me', key);
      if (reply.status === 429) refused = reply;
      else expect(reply.status).toBe(200);
    }
    // Pro allows 60 a minute; should a window end during the loop, the next one refuses its 61st request.
    expect(refused?.body.error.code).toBe('rate_limited');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const month = new Date((windowIndex - 3) * 60_000 + 7 * 3_600_000).toISOString().slice(0, 7);
    const usage = await db.doc(`usage_monthly/${user.uid}_${month}`).get();
    expect(usage.get('api_calls')).toBeGreaterThanOrEqual(7);
    const counter = await db.doc(`rate_limits/api-requests:${user.uid}`).get();
    expect(counter.get(`w${windowIndex - 3}`)).toBeUndefined();
  });
});

describe('event webhook subscriptions', () => {
  it('need a plan with eventWebhooks (403 plan_limit); unsubscribing never does', async () => {
    // Made on Pro (alert webhooks may be a plan feature too), then the plan drops to Free.
    const user = await customer('pro');
    const created = await call('POST', `/users/${user.uid}/webhooks`, user.idToken, {
      url: 'http://127.0.0.1:9/hook',
    });
    expect(created.status).toBe(201);
    await db.doc(`users/${user.uid}`).set({ plan: 'free' }, { merge: true });
    const path = `/users/${user.uid}/webhooks/${created.body.webhook_id}/events`;
    const refused = await call('PUT', path, user.idToken, { events: ['device.online'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ limit: 'eventWebhooks', upgradeTo: 'pro' });
    expect((await call('PUT', path, user.idToken, { events: [] })).status).toBe(200);
    const bad = await call('PUT', path, user.idToken, { events: ['device.exploded'] });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/openapi.json and /api/docs', () => {
  it('serves the document and its page without sign-in', async () => {
    const doc = await fetch(`${api}/api/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as Json;
    expect(body.openapi).toBe('3.1.0');
    expect(body.paths['/api/users/{uid}/api-keys'].post).toBeDefined();
    const page = await fetch(`${api}/api/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/api/devices/{deviceId}/control');
  });
});
