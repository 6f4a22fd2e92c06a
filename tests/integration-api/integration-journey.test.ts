import { configFromEnv } from '@esp32cloud/bridge';
import { waitFor } from '@esp32cloud/broker/testing';
import type { CreateDeviceResponse } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { verifyWebhook } from '@esp32cloud/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.ts';

// The integration API end to end: a Pro customer subscribes a webhook endpoint to platform events, claims a
// device, and drives its relay with a control-scoped API key (as curl would). Every part is real: the api
// function and the event triggers (Functions emulator), the broker, the simulated ESP32, the bridge that
// acks the command and delivers the webhooks from the alert outbox, signed and retried.

const kind = brokerUnderTest('integration journey');

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely by the assertions.
type Json = any;

describe(`integration API journey (${kind} broker)`, { timeout: 120_000 }, () => {
  let platform: Platform;
  let device: SimulatedDevice;
  let provisioned: CreateDeviceResponse;
  let owner: TestUser;
  let receiver: WebhookReceiver;
  let secret: string;
  let webhookId: string;
  const api = (method: string, path: string, credential: string, body?: unknown) =>
    platform.api(method, path, credential, body);
  const db = () => platform.db;

  const eventsOf = (event: string) => receiver.calls.filter((c) => c.json.event === event);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const base = configFromEnv({});
    platform = await startPlatform({
      kind,
      bridge: {
        alerts: { ...base.alerts, webhookInitialDelayMs: 200, webhookAttempts: 4, outboxPollMs: 300 },
      },
    });
    const { stack } = platform;
    const operator = await operatorToken(stack.authHost as string, stack.projectId);
    provisioned = await provisionDevice(stack.apiUrl as string, operator, '4Relay');
    owner = await signUp(stack.authHost as string);
    await db().doc(`users/${owner.uid}`).set({ plan: 'pro' }, { merge: true });
  }, 300_000);

  afterAll(async () => {
    await device?.stop({ graceful: false });
    await platform?.stop();
    await receiver?.stop();
  });

  it('subscribes a webhook endpoint to platform events (Pro plan)', async () => {
    const created = await api('POST', `/users/${owner.uid}/webhooks`, owner.idToken, {
      url: receiver.url,
      description: 'ERP',
    });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    webhookId = created.body.webhook_id;
    const subscribed = await api('PUT', `/users/${owner.uid}/webhooks/${webhookId}/events`, owner.idToken, {
      events: ['device.claimed', 'device.online', 'command.acked', 'command.failed'],
    });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body.events).toEqual([
      'device.claimed',
      'device.online',
      'command.acked',
      'command.failed',
    ]);
  });

  it('delivers device.claimed signed, retried after the receiver fails once', async () => {
    receiver.failNext(500);
    const register = await api('POST', '/devices/register', owner.idToken, {
      serial_number: provisioned.serial_number,
      claim_code: provisioned.claim_code,
      device_name: 'ปั๊มน้ำ',
    });
    expect(register.status).toBe(201);
    await waitFor(
      async () => eventsOf('device.claimed').length >= 2,
      30_000,
      'device.claimed delivered twice',
    );
    const [failed, retried] = eventsOf('device.claimed');
    // The same delivery re-signed: one delivery id, one event id, a fresh valid signature each attempt.
    expect(retried.headers['x-esp32cloud-delivery']).toBe(failed.headers['x-esp32cloud-delivery']);
    for (const call of [failed, retried]) {
      expect(
        verifyWebhook(
          secret,
          call.headers['x-esp32cloud-timestamp'],
          call.headers['x-esp32cloud-signature'],
          call.body,
        ),
      ).toBe(true);
    }
    expect(retried.json).toMatchObject({
      event: 'device.claimed',
      device_id: provisioned.device_id,
      data: { owner_uid: owner.uid },
    });
    expect(
      verifyWebhook(
        'whsec_wrong',
        retried.headers['x-esp32cloud-timestamp'],
        retried.headers['x-esp32cloud-signature'],
        retried.body,
      ),
    ).toBe(false);
    const log = await waitFor(async () => {
      const reply = await api('GET', `/users/${owner.uid}/webhooks/${webhookId}/deliveries`, owner.idToken);
      return reply.body.deliveries.find((d: Json) => d.event === 'device.claimed') ?? null;
    });
    expect(log).toMatchObject({ ok: true, attempts: 2, status: 200 });
  });

  it('a control-scoped API key drives a relay; device.online and command.acked arrive', async () => {
    device = startSimulatedDevice(provisioned.flash_config, { brokerUrl: platform.broker.url });
    await device.waitConnected(10_000);
    await waitFor(
      async () => (await db().doc(`devices/${provisioned.device_id}`).get()).get('state.online') === true,
    );
    await waitFor(async () => eventsOf('device.online').length >= 1, 30_000, 'device.online delivered');

    const key = await api('POST', `/users/${owner.uid}/api-keys`, owner.idToken, {
      name: 'Factory PLC',
      scope: 'control',
      device_ids: [provisioned.device_id],
    });
    expect(key.status).toBe(201);
    // What `curl -X POST -H "Authorization: Bearer e32k_..." .../control -d '{...}'` sends.
    const sent = await api('POST', `/devices/${provisioned.device_id}/control`, key.body.api_key, {
      command: 'relay',
      pin: 25,
      state: 'on',
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => device.state().outputs.relay1 === true, 15_000, 'relay on');
    const acked = await waitFor(
      async () =>
        eventsOf('command.acked').find((c) => (c.json as Json).data.command_id === sent.body.command_id),
      30_000,
      'command.acked delivered',
    );
    expect((acked!.json as Json).data).toMatchObject({
      command: 'relay',
      status: 'acked',
      requested_by: owner.uid,
    });
    // Events nobody subscribed to are not sent.
    expect(eventsOf('device.status_changed')).toHaveLength(0);
  });
});
