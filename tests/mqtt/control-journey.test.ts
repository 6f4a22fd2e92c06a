import type { RunningBridge } from '@esp32cloud/bridge';
import type { RunningBroker } from '@esp32cloud/broker';
import { waitFor } from '@esp32cloud/broker/testing';
import type { CreateDeviceResponse } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import type { Stack } from '../harness/stack.ts';

// The command journey of issue 8 through every real part: the api function (Functions emulator) validates
// and records a command and publishes it through the broker; the simulated ESP32 (its own provisioned
// credentials) obeys and acknowledges; the ingest bridge marks the command acked and writes the new state
// into the Firestore emulator. Then the broker goes away and the API answers 503 promptly.

const kind = brokerUnderTest('control journey');

describe(`control journey: API → ${kind} broker → simulated device → bridge → Firestore`, () => {
  let platform: Platform;
  let broker: RunningBroker;
  let stack: Stack;
  let bridge: RunningBridge;
  let device: SimulatedDevice;
  let provisioned: CreateDeviceResponse;
  let owner: TestUser;
  let db: Firestore;

  const control = (body: unknown, token = owner.idToken) =>
    fetch(`${stack.apiUrl}/api/devices/${provisioned.device_id}/control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    platform = await startPlatform({
      kind,
      functionsEnv: { MQTT_CONNECT_TIMEOUT_MS: '1500', MQTT_PUBLISH_TIMEOUT_MS: '1500' },
    });
    ({ broker, stack, db } = platform);
    bridge = platform.bridge as RunningBridge;

    const operator = await operatorToken(stack.authHost as string, stack.projectId);
    provisioned = await provisionDevice(stack.apiUrl as string, operator, '4Relay');
    // The API registered the device's own broker credentials through the dynamic-security admin.
    expect(provisioned.broker_registered).toBe(true);
    owner = await signUp(stack.authHost as string);
    const register = await fetch(`${stack.apiUrl}/api/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.idToken}` },
      body: JSON.stringify({
        serial_number: provisioned.serial_number,
        claim_code: provisioned.claim_code,
        device_name: 'ห้องนั่งเล่น',
      }),
    });
    expect(register.status).toBe(201);

    device = startSimulatedDevice(provisioned.flash_config, { brokerUrl: broker.url });
    await device.waitConnected(10_000);
  }, 240_000);

  afterAll(async () => {
    await device?.stop({ graceful: false });
    await platform?.stop();
  });

  it('round-trips the documented relay command: sent, obeyed, acked, state and desired in Firestore', async () => {
    await waitFor(
      async () => (await db.doc(`devices/${provisioned.device_id}`).get()).get('state.online') === true,
    );
    const response = await control({ command: 'relay', pin: 25, state: 'on' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { command_id: string; status: string };
    expect(body.status).toBe('sent');

    const command = await waitFor(
      async () => {
        const snap = await db.doc(`devices/${provisioned.device_id}/commands/${body.command_id}`).get();
        return snap.get('status') === 'acked' ? snap.data() : null;
      },
      15_000,
      'acked command',
    );
    expect(command).toMatchObject({
      command: 'relay',
      params: { pin: 25, state: 'on' },
      requested_by: owner.uid,
    });
    const doc = (await db.doc(`devices/${provisioned.device_id}`).get()).data();
    expect(doc?.state.outputs.relay1).toBe(true);
    expect(doc?.desired.outputs.relay1).toBe(true);
    expect(doc?.status).toBe('active');
    expect(device.state().outputs.relay1).toBe(true);
  });

  it('is idempotent for a repeated command id', async () => {
    const first = await control({ id: 'same-id-1', command: 'relay', relay: 2, state: 'on' });
    const second = await control({ id: 'same-id-1', command: 'relay', relay: 2, state: 'on' });
    expect(first.status).toBe(202);
    expect(((await second.json()) as { command_id: string }).command_id).toBe('same-id-1');
    await waitFor(async () => {
      const snap = await db.doc(`devices/${provisioned.device_id}/commands/same-id-1`).get();
      return snap.get('status') === 'acked';
    });
    expect(device.state().commandsApplied).toBe(2);
  });

  it('refuses invalid commands, strangers and anonymous callers', async () => {
    const invalid = await control({ command: 'relay', pin: 13, state: 'on' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('invalid_argument');
    const stranger = await signUp(stack.authHost as string);
    expect((await control({ command: 'relay', pin: 25, state: 'off' }, stranger.idToken)).status).toBe(404);
    const anonymous = await fetch(`${stack.apiUrl}/api/devices/${provisioned.device_id}/control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"command":"relay","pin":25,"state":"off"}',
    });
    expect(anonymous.status).toBe(401);
  });

  it('refuses a command to an offline device with 409 device_offline', async () => {
    await device.stop(); // graceful power-off: publishes offline
    await waitFor(
      async () => (await db.doc(`devices/${provisioned.device_id}`).get()).get('state.online') === false,
    );
    const response = await control({ command: 'relay', pin: 25, state: 'off' });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('device_offline');
  });

  it('answers 503 and marks the command failed when the broker is down', async () => {
    // The device document still says online (as it would in the seconds after a broker crash).
    await bridge.stop();
    await db.doc(`devices/${provisioned.device_id}`).update({ 'state.online': true });
    await broker.stop();
    const response = await control({ id: 'while-down-1', command: 'relay', pin: 26, state: 'on' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const snap = await db.doc(`devices/${provisioned.device_id}/commands/while-down-1`).get();
    expect(snap.get('status')).toBe('failed');
  });
});
