import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call as harnessCall } from '../harness/api.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { seedOwnedDevices } from '../harness/owned-devices.ts';
import { type Stack, startStack } from '../harness/stack.ts';

// Organisations and organisation API keys through the real api function (Functions emulator), the Auth
// emulator and our Firestore emulator. A Business owner's organisation has members by role; its admins
// create keys that reach the owner's own devices only (never devices shared with the owner, never an admin's
// own), with the key's scope, device list and expiry, the owner's plan's rate limit, and a recorded creator;
// the keys outlive the member who made them. Personal keys keep acting as their person.

let stack: Stack;
let api: string;
let db: Firestore;
const appName = `org-keys-${Math.random().toString(36).slice(2)}`;

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely by the assertions.
type Json = any;

const call = (method: string, path: string, credential: string, body?: unknown) =>
  harnessCall(api, method, `/api${path}`, { token: credential, body });

async function customer(plan: 'free' | 'pro' | 'business'): Promise<TestUser> {
  const user = await signUpVerified(stack.authHost!, stack.projectId);
  await db.doc(`users/${user.uid}`).set({ plan }, { merge: true });
  return user;
}

/** `to` gets a link to `deviceId` at `level`, as an accepted share leaves it. */
async function share(deviceId: string, to: TestUser, level: 'controller' | 'viewer') {
  await db.doc(`user_devices/${to.uid}_${deviceId}`).set({
    user_id: to.uid,
    device_id: deviceId,
    device_name: 'ของเพื่อน',
    access_level: level,
    added_at: Timestamp.now(),
    last_accessed: Timestamp.now(),
  });
}

function expectError(reply: { status: number; body: Json }, status: number, code: string) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.code).toBe(code);
}

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  api = stack.apiUrl!;
  process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
  db = getFirestore(initializeApp({ projectId: stack.projectId }, appName));
}, 240_000);

afterAll(async () => {
  if (db) await deleteApp(getApp(appName)).catch(() => undefined);
  await stack?.stop();
});

describe('organisations', { timeout: 120_000 }, () => {
  it('need the Business plan: plan_limit naming it', async () => {
    const pro = await customer('pro');
    const refused = await call('POST', '/organisations', pro.idToken, { name: 'ร้านค้า' });
    expectError(refused, 403, 'plan_limit');
    expect(refused.body.error.details).toMatchObject({
      limit: 'organisationKeys',
      allowed: false,
      plan: 'pro',
      upgradeTo: 'business',
    });
  });

  it('one per owner, any Unicode name, members by role with clear errors', async () => {
    const owner = await customer('business');
    const [admin, member, outsider] = await Promise.all([
      customer('free'),
      customer('free'),
      customer('free'),
    ]);
    expectError(
      await call('POST', '/organisations', owner.idToken, { name: '   ' }),
      400,
      'invalid_argument',
    );
    const created = await call('POST', '/organisations', owner.idToken, { name: 'บริษัท ฟาร์มอัจฉริยะ 🌾' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'บริษัท ฟาร์มอัจฉริยะ 🌾', owner_uid: owner.uid, role: 'admin' });
    const org = created.body.organisation_id as string;
    expectError(
      await call('POST', '/organisations', owner.idToken, { name: 'อีกแห่ง' }),
      409,
      'organisation_exists',
    );

    const add = (who: TestUser, role: string, by = owner) =>
      call('POST', `/organisations/${org}/members`, by.idToken, { email: who.email, role });
    expect((await add(admin, 'admin')).status).toBe(201);
    const addedMember = await add(member, 'member', admin);
    expect(addedMember.status).toBe(201);
    expect(addedMember.body).toMatchObject({
      uid: member.uid,
      role: 'member',
      owner: false,
      added_by: admin.uid,
    });
    expectError(await add(member, 'admin'), 409, 'already_member');
    expectError(await add(outsider, 'owner'), 400, 'invalid_argument');
    expectError(
      await call('POST', `/organisations/${org}/members`, owner.idToken, {
        email: 'nobody@example.com',
        role: 'member',
      }),
      404,
      'user_not_found',
    );
    const unverified = await signUp(stack.authHost!);
    expectError(await add(unverified, 'member'), 409, 'recipient_unverified');
    expectError(await add(outsider, 'member', member), 403, 'permission_denied');

    const members = await call('GET', `/organisations/${org}/members`, admin.idToken);
    expect(members.status).toBe(200);
    expect(members.body.members.map((m: Json) => [m.uid, m.role, m.owner])).toEqual([
      [owner.uid, 'admin', true],
      [admin.uid, 'admin', false],
      [member.uid, 'member', false],
    ]);
    expectError(await call('GET', `/organisations/${org}/members`, member.idToken), 403, 'permission_denied');
    expectError(await call('GET', `/organisations/${org}`, outsider.idToken), 404, 'not_found');
    expect((await call('GET', `/organisations/${org}`, member.idToken)).body.role).toBe('member');
    const mine = await call('GET', `/users/${member.uid}/organisations`, member.idToken);
    expect(mine.body.organisations.map((o: Json) => [o.organisation_id, o.role])).toEqual([[org, 'member']]);
    expectError(
      await call('GET', `/users/${member.uid}/organisations`, admin.idToken),
      403,
      'permission_denied',
    );

    // The owner stays an admin and in the organisation.
    expectError(
      await call('DELETE', `/organisations/${org}/members/${owner.uid}`, admin.idToken),
      409,
      'owner_fixed',
    );
    expectError(
      await call('PATCH', `/organisations/${org}/members/${owner.uid}`, admin.idToken, { role: 'member' }),
      409,
      'owner_fixed',
    );
    expectError(
      await call('DELETE', `/organisations/${org}/members/nobody`, admin.idToken),
      404,
      'not_found',
    );
    const promoted = await call('PATCH', `/organisations/${org}/members/${member.uid}`, admin.idToken, {
      role: 'admin',
    });
    expect(promoted.body.role).toBe('admin');
    expect((await call('DELETE', `/organisations/${org}/members/${member.uid}`, member.idToken)).status).toBe(
      204,
    );
    const renamed = await call('PATCH', `/organisations/${org}`, admin.idToken, { name: 'ฟาร์ม 2' });
    expect(renamed.body.name).toBe('ฟาร์ม 2');
  });
});

describe('organisation API keys', { timeout: 120_000 }, () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let org: string;
  let owned: string[];
  let sharedWithOwner: string;
  let adminsOwn: string;
  let orgKey: string;
  let orgKeyId: string;

  beforeAll(async () => {
    owner = await customer('business');
    [admin, member] = await Promise.all([customer('pro'), customer('free')]);
    const other = await customer('free');
    owned = await seedOwnedDevices(db, owner.uid, 2, { type: '4Relay', prefix: 'ORG' });
    [sharedWithOwner] = await seedOwnedDevices(db, other.uid, 1, { prefix: 'OTHER' });
    await share(sharedWithOwner, owner, 'controller');
    [adminsOwn] = await seedOwnedDevices(db, admin.uid, 1, { prefix: 'ADMIN' });
    org = (await call('POST', '/organisations', owner.idToken, { name: 'โรงงาน' })).body.organisation_id;
    for (const [who, role] of [
      [admin, 'admin'],
      [member, 'member'],
    ] as const)
      expect(
        (await call('POST', `/organisations/${org}/members`, owner.idToken, { email: who.email, role }))
          .status,
      ).toBe(201);
  });

  it('admins create them (shown once, creator recorded); members cannot; personal lists stay apart', async () => {
    const keyBody = { name: 'ระบบ SCADA', scope: 'control' };
    expectError(
      await call('POST', `/organisations/${org}/api-keys`, member.idToken, keyBody),
      403,
      'permission_denied',
    );
    expectError(
      await call('POST', `/organisations/${org}/api-keys`, admin.idToken, { ...keyBody, scope: 'root' }),
      400,
      'invalid_argument',
    );
    expectError(
      await call('POST', `/organisations/${org}/api-keys`, admin.idToken, {
        ...keyBody,
        device_ids: [sharedWithOwner],
      }),
      404,
      'not_found',
    );
    expectError(
      await call('POST', `/organisations/${org}/api-keys`, admin.idToken, {
        ...keyBody,
        device_ids: [adminsOwn],
      }),
      404,
      'not_found',
    );
    const created = await call('POST', `/organisations/${org}/api-keys`, admin.idToken, keyBody);
    expect(created.status).toBe(201);
    orgKey = created.body.api_key;
    orgKeyId = created.body.key_id;
    expect(orgKey).toMatch(/^e32k_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({
      organisation_id: org,
      created_by: { uid: admin.uid, email: admin.email },
      scope: 'control',
      device_ids: null,
    });
    const stored = (await db.collection('api_keys').where('organisation_id', '==', org).get()).docs;
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0].data())).not.toContain(orgKey);

    const listed = await call('GET', `/organisations/${org}/api-keys`, owner.idToken);
    expect(listed.body.keys.map((k: Json) => [k.key_id, k.created_by.uid])).toEqual([[orgKeyId, admin.uid]]);
    expect(JSON.stringify(listed.body)).not.toContain(orgKey);
    expectError(
      await call('GET', `/organisations/${org}/api-keys`, member.idToken),
      403,
      'permission_denied',
    );
    // Neither the owner's nor the creator's personal keys include it.
    expect((await call('GET', `/users/${owner.uid}/api-keys`, owner.idToken)).body.keys).toEqual([]);
    expect((await call('GET', `/users/${admin.uid}/api-keys`, admin.idToken)).body.keys).toEqual([]);
    const devices = await call('GET', `/organisations/${org}/devices`, admin.idToken);
    expect(devices.body.devices.map((d: Json) => d.device_id).sort()).toEqual([...owned].sort());
  });

  it("reach only the organisation's devices, with the key's scope and the owner's plan's rate", async () => {
    const list = await call('GET', `/users/${owner.uid}/devices`, orgKey);
    expect(list.status).toBe(200);
    expect(list.body.devices.map((d: Json) => d.device_id).sort()).toEqual([...owned].sort());
    expect(list.headers['x-ratelimit-limit']).toBe('600');
    expect((await call('GET', `/devices/${owned[0]}/status`, orgKey)).status).toBe(200);
    expectError(await call('GET', `/devices/${sharedWithOwner}/status`, orgKey), 404, 'not_found');
    expectError(await call('GET', `/devices/${adminsOwn}/status`, orgKey), 404, 'not_found');
    // Not about one device: the owner's personal settings are not the organisation's.
    expectError(await call('GET', `/users/${owner.uid}/webhooks`, orgKey), 403, 'permission_denied');
    expectError(await call('GET', `/organisations/${org}/members`, orgKey), 403, 'id_token_required');
    // Never an operator route, whoever owns the organisation.
    expectError(await call('DELETE', `/devices/${owned[0]}`, orgKey), 403, 'permission_denied');
    // The control scope reaches commands (the device is offline here: refused by the device path, not the key).
    const control = await call('POST', `/devices/${owned[0]}/control`, orgKey, {
      command: 'relay',
      pin: 25,
      state: 'on',
    });
    expect([401, 403, 404]).not.toContain(control.status);
    expectError(
      await call('PUT', `/devices/${owned[0]}/config`, orgKey, { update_interval: 30 }),
      403,
      'insufficient_scope',
    );

    const limited = await call('POST', `/organisations/${org}/api-keys`, owner.idToken, {
      name: 'จอแสดงผล',
      scope: 'read',
      device_ids: [owned[1]],
      expires_in_days: 30,
    });
    expect(limited.status).toBe(201);
    expect(limited.body.created_by.uid).toBe(owner.uid);
    expect((await call('GET', `/devices/${owned[1]}/status`, limited.body.api_key)).status).toBe(200);
    expectError(await call('GET', `/devices/${owned[0]}/status`, limited.body.api_key), 404, 'not_found');
    const onlyOne = await call('GET', `/users/${owner.uid}/devices`, limited.body.api_key);
    expect(onlyOne.body.devices.map((d: Json) => d.device_id)).toEqual([owned[1]]);
    // Expired: 401 at once.
    const doc = (await db.collection('api_keys').where('key_id', '==', limited.body.key_id).get()).docs[0];
    await doc.ref.update({ expires_at: Timestamp.fromMillis(Date.now() - 1000) });
    expectError(
      await call('GET', `/devices/${owned[1]}/status`, limited.body.api_key),
      401,
      'unauthenticated',
    );

    // A personal key of the owner still acts as the owner: shared devices included.
    const personal = await call('POST', `/users/${owner.uid}/api-keys`, owner.idToken, {
      name: 'ส่วนตัว',
      scope: 'read',
    });
    expect((await call('GET', `/devices/${sharedWithOwner}/status`, personal.body.api_key)).status).toBe(200);
    expect(
      (await call('GET', `/users/${owner.uid}/devices`, personal.body.api_key)).body.devices,
    ).toHaveLength(3);
    const used = (await call('GET', `/organisations/${org}/api-keys`, admin.idToken)).body.keys.find(
      (k: Json) => k.key_id === orgKeyId,
    );
    expect(used.last_used_at).not.toBeNull();
  });

  it('keep working after their creator is removed; revoked by an admin they get 401', async () => {
    expect((await call('DELETE', `/organisations/${org}/members/${admin.uid}`, owner.idToken)).status).toBe(
      204,
    );
    expectError(await call('GET', `/organisations/${org}/api-keys`, admin.idToken), 404, 'not_found');
    expect((await call('GET', `/devices/${owned[0]}/status`, orgKey)).status).toBe(200);
    const listed = await call('GET', `/organisations/${org}/api-keys`, owner.idToken);
    expect(listed.body.keys.find((k: Json) => k.key_id === orgKeyId).created_by).toEqual({
      uid: admin.uid,
      email: admin.email,
    });
    expectError(
      await call('DELETE', `/organisations/${org}/api-keys/${orgKeyId}`, member.idToken),
      403,
      'permission_denied',
    );
    expectError(await call('DELETE', `/organisations/${org}/api-keys/nope`, owner.idToken), 404, 'not_found');
    const revoked = await call('DELETE', `/organisations/${org}/api-keys/${orgKeyId}`, owner.idToken);
    expect(revoked.body.revoked_at).not.toBeNull();
    expectError(await call('GET', `/devices/${owned[0]}/status`, orgKey), 401, 'unauthenticated');
  });

  it('after a downgrade they answer plan_limit, stay listed, and none can be made', async () => {
    const key = await call('POST', `/organisations/${org}/api-keys`, owner.idToken, {
      name: 'ก่อนลดแพ็กเกจ',
      scope: 'read',
    });
    expect(key.status).toBe(201);
    await db.doc(`users/${owner.uid}`).set({ plan: 'pro' }, { merge: true });
    const refused = await call('GET', `/devices/${owned[0]}/status`, key.body.api_key);
    expectError(refused, 403, 'plan_limit');
    expect(refused.body.error.details).toMatchObject({ limit: 'organisationKeys', upgradeTo: 'business' });
    expectError(
      await call('POST', `/organisations/${org}/api-keys`, owner.idToken, { name: 'x', scope: 'read' }),
      403,
      'plan_limit',
    );
    expect(
      (await call('GET', `/organisations/${org}/api-keys`, owner.idToken)).body.keys.length,
    ).toBeGreaterThan(0);
    await db.doc(`users/${owner.uid}`).set({ plan: 'business' }, { merge: true });
    expect((await call('GET', `/devices/${owned[0]}/status`, key.body.api_key)).status).toBe(200);
  });
});
