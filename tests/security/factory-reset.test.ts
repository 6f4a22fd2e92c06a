import type { RunningBridge } from '@esp32cloud/bridge';
import type { RunningBroker } from '@esp32cloud/broker';
import { connectClient, waitFor } from '@esp32cloud/broker/testing';
import { type CreateDeviceResponse, claimSerialLimitKey, topics } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import type { Stack } from '../harness/stack.ts';
import { call } from '../registry/helpers.ts';

// Release, resale and the physical factory reset (issue 12) through every real part: the api function, the
// broker with per-device credentials, the ingest bridge and the simulated ESP32. Releasing hands no claim code
// to the account that gave the unit up; a reset reported by the unit itself opens its printed label to
// whoever holds it, and not to the former owner; another device's credentials cannot fake the report.

const kind = brokerUnderTest('factory reset');

describe(`factory reset and resale: API → ${kind} broker → simulated device → bridge`, () => {
  let platform: Platform;
  let broker: RunningBroker;
  let stack: Stack;
  let bridge: RunningBridge;
  let db: Firestore;
  let operator: string;
  const running: SimulatedDevice[] = [];

  beforeAll(async () => {
    platform = await startPlatform({ kind, bridge: { directoryTtlMs: 500 } });
    ({ broker, stack, db } = platform);
    bridge = platform.bridge as RunningBridge;
    operator = await operatorToken(stack.authHost as string, stack.projectId);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(running.map((d) => d.stop({ graceful: false })));
    await platform?.stop();
  });

  const api = () => stack.apiUrl as string;
  const newUser = () => signUp(stack.authHost as string);
  const claim = (user: TestUser, device: CreateDeviceResponse, code = device.claim_code) =>
    call(api(), 'POST', '/devices/register', {
      token: user.idToken,
      body: { serial_number: device.serial_number, claim_code: code, device_name: 'ปั๊มน้ำ' },
    });
  const availability = async (device: CreateDeviceResponse) =>
    (await call(api(), 'GET', `/devices/validate?sn=${device.serial_number}`)).body.availability as string;
  const secret = async (device: CreateDeviceResponse) =>
    (await db.doc(`device_secrets/${device.device_id}`).get()).data() ?? {};

  async function deviceOnline(): Promise<{ made: CreateDeviceResponse; unit: SimulatedDevice }> {
    const made = await provisionDevice(api(), operator, '4Relay');
    expect(made.broker_registered).toBe(true);
    const unit = startSimulatedDevice(made.flash_config, { brokerUrl: broker.url });
    running.push(unit);
    await unit.waitConnected(15_000);
    return { made, unit };
  }

  async function resetAndWait(unit: SimulatedDevice, made: CreateDeviceResponse): Promise<void> {
    const resetId = await unit.factoryReset();
    await waitFor(async () => (await secret(made)).last_reset_id === resetId, 15_000, 'reset handled');
  }

  it('release: no code for the old owner, the label waits for a reset, then the holder claims it and the old owner cannot', async () => {
    const { made, unit } = await deviceOnline();
    const seller = await newUser();
    expect((await claim(seller, made)).status).toBe(201);

    const released = await call(api(), 'DELETE', `/users/${seller.uid}/devices/${made.device_id}`, {
      token: seller.idToken,
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ released: true, next_claim: 'after_factory_reset' });
    expect(JSON.stringify(released.body)).not.toMatch(/claim_code|setup_url/);
    expect(await availability(made)).toBe('reset_required');

    // Nobody claims it remotely with the label now: not the seller, not anyone who saw the box.
    const sellerTries = await claim(seller, made);
    expect(sellerTries.status).toBe(409);
    expect(sellerTries.body.error.code).toBe('reset_required');
    const buyer = await newUser();
    expect((await claim(buyer, made)).body.error.code).toBe('reset_required');

    // The buyer holds the unit: the button reset is reported with the unit's own credentials.
    await resetAndWait(unit, made);
    expect(await secret(made)).toMatchObject({ claim_open: true, claim_opened_by: 'reset' });
    expect(await availability(made)).toBe('available');
    const sellerAgain = await claim(seller, made);
    expect(sellerAgain.status).toBe(403);
    expect(sellerAgain.body.error.code).toBe('former_owner');
    expect((await claim(buyer, made)).status).toBe(201);
    expect((await db.doc(`devices/${made.device_id}`).get()).get('owner_uid')).toBe(buyer.uid);
    // The window closed with the claim.
    expect(await availability(made)).toBe('taken');
    expect((await claim(seller, made)).status).toBe(409);
  });

  it('private sale without release: the old owner keeps access until the holder claims in the window, then loses it', async () => {
    const { made, unit } = await deviceOnline();
    const oldOwner = await newUser();
    const viewer = await signUp(stack.authHost as string);
    expect((await claim(oldOwner, made)).status).toBe(201);
    const status = (user: TestUser) =>
      call(api(), 'GET', `/devices/${made.device_id}/status`, { token: user.idToken });

    // Before any reset the label claims nothing for anyone else.
    const holder = await newUser();
    expect((await claim(holder, made)).body.error.code).toBe('already_claimed');

    await resetAndWait(unit, made);
    expect((await status(oldOwner)).body.access_level).toBe('owner');
    expect(await availability(made)).toBe('available');
    // A wrong code is still a wrong code inside the window.
    expect((await claim(holder, made, 'ZZZZZ-ZZZZZ')).body.error.code).toBe('wrong_claim_code');
    expect((await claim(holder, made)).status).toBe(201);
    expect((await status(oldOwner)).status).toBe(404);
    expect((await status(holder)).body.access_level).toBe('owner');
    expect((await status(viewer)).status).toBe(404);
    expect((await secret(made)).former_owner_uids).toContain(oldOwner.uid);
    expect((await claim(oldOwner, made)).status).toBe(409);
  });

  it("a reset clears strangers' wrong codes on the serial, and a window that ran out closes the label again", async () => {
    const { made, unit } = await deviceOnline();
    const owner = await newUser();
    expect((await claim(owner, made)).status).toBe(201);
    expect(
      (await call(api(), 'DELETE', `/users/${owner.uid}/devices/${made.device_id}`, { token: owner.idToken }))
        .status,
    ).toBe(200);
    await db
      .doc(`rate_limits/${claimSerialLimitKey(made.serial_number)}`)
      .set({ count: 99 }, { merge: true });
    await resetAndWait(unit, made);
    expect((await db.doc(`rate_limits/${claimSerialLimitKey(made.serial_number)}`).get()).exists).toBe(false);

    await db.doc(`device_secrets/${made.device_id}`).update({ claim_open_until_ms: Date.now() - 1000 });
    expect(await availability(made)).toBe('reset_required');
    expect((await claim(await newUser(), made)).body.error.code).toBe('reset_required');
  });

  it("another device's credentials cannot report a reset for this unit", async () => {
    const { made: victim } = await deviceOnline();
    // Only its credentials are used (no simulator holds its client id).
    const attacker = await provisionDevice(api(), operator, '4Relay');
    const owner = await newUser();
    expect((await claim(owner, victim)).status).toBe(201);
    const before = await secret(victim);

    // The attacker's unit, dumped from its flash, publishes a forged report on the victim's reset topic.
    const forged = await connectClient(broker.url, {
      clientId: `${attacker.serial_number}`,
      username: attacker.flash_config.username,
      password: attacker.flash_config.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const payload = JSON.stringify({ v: 1, kind: 'factory', reset_id: 'forged_1' });
    await forged.publishAsync(topics.reset(victim.serial_number), payload, { qos: 1 }).catch(() => undefined);
    // Its own report goes through and is handled after the forged one would have been.
    if (forged.connected) {
      await forged.publishAsync(
        topics.reset(attacker.serial_number),
        JSON.stringify({ v: 1, kind: 'factory', reset_id: 'own_1' }),
        { qos: 1 },
      );
      await waitFor(async () => (await secret(attacker)).last_reset_id === 'own_1', 15_000, 'own reset');
    }
    forged.end(true);
    await bridge.idle();
    const after = await secret(victim);
    expect(after.last_reset_id ?? null).toBe(before.last_reset_id ?? null);
    expect(after.claim_open).toBe(false);
    expect((await claim(await newUser(), victim)).body.error.code).toBe('already_claimed');
  });
});
