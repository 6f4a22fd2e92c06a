import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, signUpVerified, type TestUser, verifyEmail } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call, type ManifestDevice, provision } from '../registry/helpers.ts';

// Ownership transfer and the verified-recipient rule (issue 12) through the real api function, Auth emulator
// (email verification through its oobCodes endpoint) and our Firestore emulator: the owner offers a device by
// email, the recipient accepts while signed in; shares and transfers go only to verified accounts.

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
  workDir = mkdtempSync(path.join(os.tmpdir(), 'security-transfer-'));
  pool = (await provision(stack, { type: '4Relay', count: 6, out: workDir, batch: 'transfer' })).devices;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const verified = () => signUpVerified(stack.authHost!, stack.projectId);

async function ownedDevice(): Promise<{ owner: TestUser; device: ManifestDevice }> {
  const device = pool.shift();
  if (!device) throw new Error('no devices left for the suite');
  const owner = await verified();
  const claimed = await call(api, 'POST', '/devices/register', {
    token: owner.idToken,
    body: { serial_number: device.serial_number, claim_code: device.claim_code, device_name: 'ห้องนอน' },
  });
  expect(claimed.status).toBe(201);
  return { owner, device };
}

const offer = (by: TestUser, deviceId: string, email: string) =>
  call(api, 'POST', `/devices/${deviceId}/transfer`, { token: by.idToken, body: { email } });
const incoming = (user: TestUser, as = user) =>
  call(api, 'GET', `/users/${user.uid}/transfers`, { token: as.idToken });
const accept = (user: TestUser, deviceId: string, token = user.idToken) =>
  call(api, 'POST', `/users/${user.uid}/transfers/${deviceId}/accept`, { token });
const status = (user: TestUser, deviceId: string) =>
  call(api, 'GET', `/devices/${deviceId}/status`, { token: user.idToken });

describe('only verified accounts receive shares and transfers', () => {
  it('recipient_unverified for both until the recipient verifies its email', async () => {
    const { owner, device } = await ownedDevice();
    const unverified = await signUp(stack.authHost!);
    const share = await call(api, 'POST', `/devices/${device.device_id}/shares`, {
      token: owner.idToken,
      body: { email: unverified.email, access_level: 'viewer' },
    });
    expect(share.status).toBe(409);
    expect(share.body.error.code).toBe('recipient_unverified');
    const transfer = await offer(owner, device.device_id, unverified.email);
    expect(transfer.status).toBe(409);
    expect(transfer.body.error.code).toBe('recipient_unverified');
    expect((await status(unverified, device.device_id)).status).toBe(404);

    await verifyEmail(stack.authHost!, stack.projectId, unverified);
    const again = await call(api, 'POST', `/devices/${device.device_id}/shares`, {
      token: owner.idToken,
      body: { email: unverified.email, access_level: 'viewer' },
    });
    expect(again.status).toBe(201);
  });
});

describe('ownership transfer', () => {
  it('the owner offers, the recipient accepts while signed in: the device, and only the device, changes hands', async () => {
    const { owner, device } = await ownedDevice();
    const friend = await verified();
    const buyer = await verified();
    const stranger = await verified();
    expect(
      (
        await call(api, 'POST', `/devices/${device.device_id}/shares`, {
          token: owner.idToken,
          body: { email: friend.email, access_level: 'controller' },
        })
      ).status,
    ).toBe(201);

    // A controller cannot give the device away; an unknown email is a 404.
    expect((await offer(friend, device.device_id, buyer.email)).status).toBe(403);
    const unknown = await offer(owner, device.device_id, 'nobody-here@example.test');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');

    const offered = await offer(owner, device.device_id, buyer.email.toUpperCase());
    expect(offered.status).toBe(201);
    expect(offered.body).toMatchObject({
      device_id: device.device_id,
      to_uid: buyer.uid,
      to_email: buyer.email,
      from_uid: owner.uid,
      device_name: 'ห้องนอน',
    });
    expect(Date.parse(offered.body.expires_at)).toBeGreaterThan(Date.now());
    expect(
      (await call(api, 'GET', `/devices/${device.device_id}/transfer`, { token: owner.idToken })).body,
    ).toMatchObject({ to_uid: buyer.uid });

    const list = await incoming(buyer);
    expect(list.status).toBe(200);
    expect(list.body.transfers.map((t: { device_id: string }) => t.device_id)).toEqual([device.device_id]);
    // Nobody else sees it or accepts it, and nobody reads another account's transfers.
    expect((await incoming(buyer, stranger)).status).toBe(403);
    expect((await accept(stranger, device.device_id)).status).toBe(404);
    expect((await accept(buyer, device.device_id, stranger.idToken)).status).toBe(403);
    expect((await status(buyer, device.device_id)).status).toBe(404);

    const accepted = await accept(buyer, device.device_id);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ device_id: device.device_id, access_level: 'owner' });
    expect((await status(buyer, device.device_id)).body.access_level).toBe('owner');
    // The previous owner and everyone they shared with lose access at once.
    expect((await status(owner, device.device_id)).status).toBe(404);
    expect((await status(friend, device.device_id)).status).toBe(404);
    const doc = await db.doc(`devices/${device.device_id}`).get();
    expect(doc.get('owner_uid')).toBe(buyer.uid);
    // The new owner's name for it (the offer's) travels on the device for the dashboard.
    expect(doc.get('owner_device_name')).toBe('ห้องนอน');
    expect((await db.doc(`transfers/${device.device_id}`).get()).exists).toBe(false);
    expect((await incoming(buyer)).body.transfers).toEqual([]);
    // The previous owner still knows the printed label: it claims nothing.
    const back = await call(api, 'POST', '/devices/register', {
      token: owner.idToken,
      body: { serial_number: device.serial_number, claim_code: device.claim_code, device_name: 'x' },
    });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('already_claimed');
    // A second accept finds nothing.
    expect((await accept(buyer, device.device_id)).status).toBe(404);
  });

  it('the owner cancels, the recipient declines, an expired offer cannot be accepted', async () => {
    const { owner, device } = await ownedDevice();
    const buyer = await verified();
    expect((await offer(owner, device.device_id, buyer.email)).status).toBe(201);
    expect(
      (await call(api, 'DELETE', `/devices/${device.device_id}/transfer`, { token: owner.idToken })).status,
    ).toBe(204);
    expect((await incoming(buyer)).body.transfers).toEqual([]);
    expect((await accept(buyer, device.device_id)).body.error.code).toBe('no_transfer');

    expect((await offer(owner, device.device_id, buyer.email)).status).toBe(201);
    expect(
      (
        await call(api, 'DELETE', `/users/${buyer.uid}/transfers/${device.device_id}`, {
          token: buyer.idToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(api, 'GET', `/devices/${device.device_id}/transfer`, { token: owner.idToken })).status,
    ).toBe(404);

    expect((await offer(owner, device.device_id, buyer.email)).status).toBe(201);
    await db
      .doc(`transfers/${device.device_id}`)
      .update({ expires_at: Timestamp.fromMillis(Date.now() - 1000) });
    expect((await incoming(buyer)).body.transfers).toEqual([]);
    const late = await accept(buyer, device.device_id);
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('transfer_expired');
    expect((await status(owner, device.device_id)).body.access_level).toBe('owner');
  });

  it('accepting needs a token that says the email is verified; a release drops the offer', async () => {
    const { owner, device } = await ownedDevice();
    const before = await signUp(stack.authHost!);
    await verifyEmail(stack.authHost!, stack.projectId, before);
    expect((await offer(owner, device.device_id, before.email)).status).toBe(201);
    // `before.idToken` was issued before the verification.
    const stale = await accept(before, device.device_id);
    expect(stale.status).toBe(403);
    expect(stale.body.error.code).toBe('email_unverified');

    expect(
      (await call(api, 'DELETE', `/users/${owner.uid}/devices/${device.device_id}`, { token: owner.idToken }))
        .status,
    ).toBe(200);
    const fresh = await verifyEmail(stack.authHost!, stack.projectId, before);
    expect((await accept(fresh, device.device_id)).body.error.code).toBe('no_transfer');
  });
});
