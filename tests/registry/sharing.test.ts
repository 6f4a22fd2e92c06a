import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteApp as deleteWebApp, initializeApp as initializeWebApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import {
  connectFirestoreEmulator,
  doc,
  getDoc,
  terminate,
  getFirestore as webFirestore,
} from 'firebase/firestore';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpVerified, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call, type ManifestDevice, provision } from './helpers.ts';

// Device sharing through HTTP as the web app calls it: the owner grants, changes and removes controller and
// viewer access, against the real Functions and Auth emulators and our Firestore emulator, with devices made
// by the provision CLI and claimed through the API.

let stack: Stack;
let api: string;
let db: Firestore;
let workDir: string;
let pool: ManifestDevice[] = [];

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  api = stack.apiUrl!;
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'registry-sharing-'));
  const made = await provision(stack, { type: '4Relay', count: 10, out: workDir, batch: 'sharing' });
  pool = made.devices;
});

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// Shares go only to accounts with a verified email (docs/SECURITY.md); tests/security/transfer.test.ts covers
// the refusal of unverified ones.
const newUser = () => signUpVerified(stack.authHost!, stack.projectId);

/** A fresh user owning a freshly claimed device. */
async function ownedDevice(): Promise<{ owner: TestUser; deviceId: string }> {
  const device = pool.shift();
  if (!device) throw new Error('no devices left for the suite');
  const owner = await newUser();
  const registered = await call(api, 'POST', '/devices/register', {
    token: owner.idToken,
    body: { serial_number: device.serial_number, claim_code: device.claim_code, device_name: 'ห้องครัว' },
  });
  expect(registered.status).toBe(201);
  return { owner, deviceId: device.device_id };
}

const share = (by: TestUser, deviceId: string, email: string, access_level: string) =>
  call(api, 'POST', `/devices/${deviceId}/shares`, { token: by.idToken, body: { email, access_level } });
const shares = (by: TestUser, deviceId: string) =>
  call(api, 'GET', `/devices/${deviceId}/shares`, { token: by.idToken });
const unshare = (by: TestUser, deviceId: string, uid: string) =>
  call(api, 'DELETE', `/devices/${deviceId}/shares/${uid}`, { token: by.idToken });
const control = (by: TestUser, deviceId: string) =>
  call(api, 'POST', `/devices/${deviceId}/control`, {
    token: by.idToken,
    body: { command: 'relay', pin: 25, state: 'on' },
  });
const status = (by: TestUser, deviceId: string) =>
  call(api, 'GET', `/devices/${deviceId}/status`, { token: by.idToken });
const listed = async (user: TestUser) =>
  (await call(api, 'GET', `/users/${user.uid}/devices`, { token: user.idToken })).body.devices as {
    device_id: string;
    access_level: string;
    device_name: string;
  }[];

describe('sharing a device', () => {
  it('gives a viewer read-only access, upgrades it to controller, and removes it', async () => {
    const { owner, deviceId } = await ownedDevice();
    const friend = await newUser();

    const granted = await share(owner, deviceId, friend.email.toUpperCase(), 'viewer');
    expect(granted).toEqual({
      status: 201,
      body: { user_id: friend.uid, email: friend.email, access_level: 'viewer' },
    });
    const link = (await db.doc(`user_devices/${friend.uid}_${deviceId}`).get()).data()!;
    expect(link).toMatchObject({
      user_id: friend.uid,
      device_id: deviceId,
      device_name: 'ห้องครัว',
      access_level: 'viewer',
    });
    // Server timestamps of this share, not just any value.
    for (const field of ['added_at', 'last_accessed']) {
      expect(link[field], field).toBeInstanceOf(Timestamp);
      expect(Math.abs(link[field].toMillis() - Date.now()), field).toBeLessThan(10 * 60_000);
    }

    // The viewer sees and reads the device but may not control or configure it.
    expect(await listed(friend)).toEqual([
      expect.objectContaining({ device_id: deviceId, access_level: 'viewer', device_name: 'ห้องครัว' }),
    ]);
    expect(await status(friend, deviceId)).toMatchObject({
      status: 200,
      body: { device_id: deviceId, access_level: 'viewer' },
    });
    expect(await control(friend, deviceId)).toMatchObject({
      status: 403,
      body: { error: { code: 'permission_denied' } },
    });
    const configPut = await call(api, 'PUT', `/devices/${deviceId}/config`, {
      token: friend.idToken,
      body: { update_interval: 60 },
    });
    expect(configPut).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } });

    // Sharing again with the same person changes the level of the existing link (200, not a second link).
    const upgraded = await share(owner, deviceId, friend.email, 'controller');
    expect(upgraded).toEqual({
      status: 200,
      body: { user_id: friend.uid, email: friend.email, access_level: 'controller' },
    });
    // Access no longer refuses the command; the unit is simply offline in this stack.
    expect(await control(friend, deviceId)).toMatchObject({
      status: 409,
      body: { error: { code: 'device_offline' } },
    });

    // A controller may neither see nor change who has access.
    expect(await shares(friend, deviceId)).toMatchObject({
      status: 403,
      body: { error: { code: 'permission_denied' } },
    });
    const third = await newUser();
    expect(await share(friend, deviceId, third.email, 'viewer')).toMatchObject({
      status: 403,
      body: { error: { code: 'permission_denied' } },
    });
    expect(await unshare(friend, deviceId, owner.uid)).toMatchObject({ status: 403 });
    expect((await db.doc(`user_devices/${third.uid}_${deviceId}`).get()).exists).toBe(false);

    // The owner sees everyone, the owner first.
    const list = await shares(owner, deviceId);
    expect(list.status).toBe(200);
    expect(list.body.shares).toEqual([
      { user_id: owner.uid, email: owner.email, access_level: 'owner', added_at: expect.any(String) },
      { user_id: friend.uid, email: friend.email, access_level: 'controller', added_at: expect.any(String) },
    ]);

    // Removing the share revokes access at once.
    expect(await unshare(owner, deviceId, friend.uid)).toEqual({ status: 204, body: undefined });
    expect(await status(friend, deviceId)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await listed(friend)).toEqual([]);
    expect(await unshare(owner, deviceId, friend.uid)).toMatchObject({ status: 404 });
    expect((await shares(owner, deviceId)).body.shares).toHaveLength(1);
  });

  it('answers a stranger as for a device that does not exist', async () => {
    const { deviceId } = await ownedDevice();
    const stranger = await newUser();
    for (const response of [
      await shares(stranger, deviceId),
      await share(stranger, deviceId, stranger.email, 'viewer'),
      await unshare(stranger, deviceId, stranger.uid),
    ]) {
      expect(response).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    }
    expect(await shares(stranger, 'ESP32_NOPE00')).toMatchObject({ status: 404 });
  });

  it('refuses unknown emails, sharing with yourself, granting ownership and removing the owner', async () => {
    const { owner, deviceId } = await ownedDevice();
    const unknown = await share(owner, deviceId, 'nobody-here@example.test', 'viewer');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'user_not_found' } } });
    expect(unknown.body.error.message).toContain('nobody-here@example.test');

    expect(await share(owner, deviceId, owner.email, 'viewer')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_argument' } },
    });
    const someone = await newUser();
    expect(await share(owner, deviceId, someone.email, 'owner')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_argument' } },
    });
    expect(await share(owner, deviceId, 'not-an-email', 'viewer')).toMatchObject({ status: 400 });
    expect((await db.doc(`user_devices/${someone.uid}_${deviceId}`).get()).exists).toBe(false);

    expect(await unshare(owner, deviceId, owner.uid)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_argument' } },
    });
    expect((await db.doc(`devices/${deviceId}`).get()).data()).toMatchObject({ owner_uid: owner.uid });
    expect(await call(api, 'GET', `/devices/${deviceId}/shares`)).toMatchObject({ status: 401 });
  });

  it('caps the unknown emails an owner may try, so sharing cannot enumerate accounts', async () => {
    const { owner, deviceId } = await ownedDevice();
    const friend = await newUser();
    for (let i = 0; i < 20; i += 1) {
      const miss = await share(owner, deviceId, `nobody-${i}@example.test`, 'viewer');
      expect(miss).toMatchObject({ status: 404, body: { error: { code: 'user_not_found' } } });
    }
    for (const email of ['nobody-20@example.test', friend.email]) {
      expect(await share(owner, deviceId, email, 'viewer')).toMatchObject({
        status: 429,
        body: { error: { code: 'resource_exhausted' } },
      });
    }
    expect((await db.doc(`user_devices/${friend.uid}_${deviceId}`).get()).exists).toBe(false);
    // Listing and removing are not limited.
    expect((await shares(owner, deviceId)).status).toBe(200);
  });

  it('removes every shared link when the owner releases the device', async () => {
    const { owner, deviceId } = await ownedDevice();
    const viewer = await newUser();
    const controller = await newUser();
    expect((await share(owner, deviceId, viewer.email, 'viewer')).status).toBe(201);
    expect((await share(owner, deviceId, controller.email, 'controller')).status).toBe(201);

    const released = await call(api, 'DELETE', `/users/${owner.uid}/devices/${deviceId}`, {
      token: owner.idToken,
    });
    expect(released).toMatchObject({ status: 200, body: { released: true } });
    const links = await db.collection('user_devices').where('device_id', '==', deviceId).get();
    expect(links.size).toBe(0);
    expect(await status(viewer, deviceId)).toMatchObject({ status: 404 });
    expect(await listed(controller)).toEqual([]);
    // The former owner can no longer share it either.
    expect(await share(owner, deviceId, viewer.email, 'viewer')).toMatchObject({ status: 404 });
  });
});

describe('sharing racing a release', () => {
  it('never leaves a link on a released device, whichever commits first', async () => {
    const { owner, deviceId } = await ownedDevice();
    const friend = await newUser();
    const [shared, released] = await Promise.all([
      share(owner, deviceId, friend.email, 'controller'),
      call(api, 'DELETE', `/users/${owner.uid}/devices/${deviceId}`, { token: owner.idToken }),
    ]);
    expect(released.status).toBe(200);
    expect([201, 404]).toContain(shared.status);
    const links = await db.collection('user_devices').where('device_id', '==', deviceId).get();
    expect(links.docs.map((d) => d.id)).toEqual([]);
    expect((await db.doc(`devices/${deviceId}`).get()).data()).toMatchObject({
      status: 'available',
      owner_uid: null,
    });
  });
});

describe('the Firestore rules follow the shared links', () => {
  it('lets a viewer read the device with the web SDK once shared, and not after removal', async () => {
    const rules = readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8');
    const loaded = await fetch(
      `http://${stack.firestoreHost}/emulator/v1/projects/${stack.projectId}:securityRules`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: rules }] } }),
      },
    );
    expect(loaded.status).toBe(200);

    const { owner, deviceId } = await ownedDevice();
    const viewer = await newUser();
    const web = initializeWebApp(
      { projectId: stack.projectId, apiKey: 'demo-api-key' },
      `viewer-${viewer.uid}`,
    );
    try {
      const auth = getAuth(web);
      connectAuthEmulator(auth, `http://${stack.authHost}`, { disableWarnings: true });
      await signInWithEmailAndPassword(auth, viewer.email, viewer.password);
      const firestore = webFirestore(web);
      const [host, port] = stack.firestoreHost!.split(':');
      connectFirestoreEmulator(firestore, host, Number(port));
      const read = () => getDoc(doc(firestore, 'devices', deviceId));
      const readLink = () => getDoc(doc(firestore, 'user_devices', `${viewer.uid}_${deviceId}`));

      await expect(read()).rejects.toMatchObject({ code: 'permission-denied' });
      expect((await share(owner, deviceId, viewer.email, 'viewer')).status).toBe(201);
      expect((await read()).get('owner_uid')).toBe(owner.uid);
      expect((await readLink()).get('access_level')).toBe('viewer');

      expect((await unshare(owner, deviceId, viewer.uid)).status).toBe(204);
      await expect(read()).rejects.toMatchObject({ code: 'permission-denied' });
      // The rules answer a missing link like anyone else's: denied, not an empty document.
      await expect(readLink()).rejects.toMatchObject({ code: 'permission-denied' });
      await terminate(firestore);
    } finally {
      await deleteWebApp(web);
    }
  });
});
