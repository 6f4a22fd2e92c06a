import { configFromEnv } from '@esp32cloud/bridge';
import { waitFor } from '@esp32cloud/broker/testing';
import type { PlanId } from '@esp32cloud/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.ts';

// A downgrade to a plan without webhooks holds them, never deletes them: alert webhook calls and event webhook
// calls stop (the bridge skips queued ones at delivery with a delivery-log entry that says why; the event
// triggers queue nothing), the endpoint shows the hold in the API (held_by_plan), its URL, events and secret
// stay, and nothing counts as a failure. Re-upgrading sends the next calls again. Real api function, event
// triggers, bridge and a local receiver.

const kind = brokerUnderTest('downgrade webhooks');

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely by the assertions.
type Json = any;

describe(`webhooks after a downgrade (${kind} broker)`, { timeout: 150_000 }, () => {
  let platform: Platform;
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let operator: string;
  let webhookId: string;
  let items = 0;
  const api = (method: string, path: string, credential: string, body?: unknown) =>
    platform.api(method, path, credential, body);
  const setPlan = (plan: PlanId) => platform.db.doc(`users/${owner.uid}`).set({ plan }, { merge: true });
  const hooks = async () => (await api('GET', `/users/${owner.uid}/webhooks`, owner.idToken)).body.webhooks;

  /** An alert episode's webhook call, as the bridge's alert engine queues it (episodes.ts). */
  async function queueAlertCall(): Promise<string> {
    items += 1;
    const itemId = `downgrade_${owner.uid}_${items}`;
    const now = Date.now();
    await platform.db.doc(`alert_outbox/${itemId}`).set({
      item_id: itemId,
      channel: 'webhook',
      event: 'alert.fired',
      uid: owner.uid,
      alert_id: `alert_${items}`,
      facts: {
        rule_id: 'r1',
        rule_name: 'ร้อนเกิน',
        device_id: 'ESP32_X',
        device_name: 'ตู้แช่',
        condition: { kind: 'offline', minutes: 10 },
        severity: 'critical',
      },
      fired_at: new Date(now).toISOString(),
      webhook_id: webhookId,
      deliver_after: now,
      state: 'pending',
      attempts: 0,
      lease_until: 0,
      created_at: now,
    });
    return itemId;
  }

  const finished = (itemId: string) =>
    waitFor(
      async () => {
        const state = (await platform.db.doc(`alert_outbox/${itemId}`).get()).get('state');
        return state === 'delivered' || state === 'skipped' || state === 'failed' ? state : null;
      },
      30_000,
      `outbox item ${itemId} finished`,
    );

  async function claimOne(name: string): Promise<string> {
    const made = await api('POST', '/devices', operator, {
      device_type: '4Relay',
      firmware_version: '1.0.0',
    });
    expect(made.status).toBe(201);
    const claimed = await api('POST', '/devices/register', owner.idToken, {
      serial_number: made.body.serial_number,
      claim_code: made.body.claim_code,
      device_name: name,
    });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(201);
    return made.body.device_id;
  }
  const claimedCalls = (deviceId: string) =>
    receiver.calls.filter(
      (c) => c.json.event === 'device.claimed' && (c.json as Json).device_id === deviceId,
    );

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const base = configFromEnv({});
    platform = await startPlatform({
      kind,
      bridge: {
        alerts: { ...base.alerts, webhookInitialDelayMs: 200, webhookAttempts: 2, outboxPollMs: 300 },
      },
    });
    operator = await operatorToken(platform.stack.authHost as string, platform.stack.projectId);
    owner = await signUp(platform.stack.authHost as string);
    await setPlan('pro');
    const created = await api('POST', `/users/${owner.uid}/webhooks`, owner.idToken, {
      url: receiver.url,
      description: 'ระบบ ERP',
    });
    expect(created.status).toBe(201);
    webhookId = created.body.webhook_id;
    const subscribed = await api('PUT', `/users/${owner.uid}/webhooks/${webhookId}/events`, owner.idToken, {
      events: ['device.claimed'],
    });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body.held_by_plan).toBeNull();
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('on Pro both kinds of call go out', async () => {
    const itemId = await queueAlertCall();
    expect(await finished(itemId)).toBe('delivered');
    const deviceId = await claimOne('ห้องเย็น');
    await waitFor(async () => claimedCalls(deviceId).length === 1, 30_000, 'device.claimed on Pro');
  });

  it('on Free nothing is sent, the hold is shown and logged, and the configuration stays', async () => {
    await setPlan('free');
    const [hook] = await hooks();
    expect(hook).toMatchObject({
      webhook_id: webhookId,
      url: receiver.url,
      description: 'ระบบ ERP',
      enabled: true,
      events: ['device.claimed'],
      held_by_plan: { alerts: true, events: true, plan: 'free', upgradeTo: 'pro' },
    });
    const callsBefore = receiver.calls.length;

    const alertItem = await queueAlertCall();
    expect(await finished(alertItem)).toBe('skipped');
    // An event call queued before the downgrade is held at delivery too.
    items += 1;
    const eventItem = `downgrade_event_${owner.uid}_${items}`;
    const now = Date.now();
    await platform.db.doc(`alert_outbox/${eventItem}`).set({
      item_id: eventItem,
      channel: 'webhook',
      event: 'device.online',
      uid: owner.uid,
      alert_id: null,
      fired_at: new Date(now).toISOString(),
      webhook_id: webhookId,
      payload: {
        event: 'device.online',
        event_id: eventItem,
        occurred_at: new Date(now).toISOString(),
        device_id: 'ESP32_X',
        data: {},
      },
      deliver_after: now,
      state: 'pending',
      attempts: 0,
      lease_until: 0,
      created_at: now,
    });
    expect(await finished(eventItem)).toBe('skipped');
    const heldClaim = await claimOne('ห้องเก็บของ');

    const log = (await api('GET', `/users/${owner.uid}/webhooks/${webhookId}/deliveries`, owner.idToken)).body
      .deliveries as Json[];
    const held = log.filter((d) => d.held_by_plan === true);
    expect(held.map((d) => d.delivery_id).sort()).toEqual([alertItem, eventItem].sort());
    for (const entry of held) {
      expect(entry).toMatchObject({ ok: false, attempts: 0, status: null });
      expect(entry.error).toMatch(/Free plan has no (alert|event) webhooks/);
    }
    // Held is not failing: the endpoint is not counted down towards being disabled.
    const [after] = await hooks();
    expect(after).toMatchObject({ enabled: true, consecutive_failures: 0, events: ['device.claimed'] });
    expect((await platform.db.doc(`webhooks/${webhookId}`).get()).get('secret')).toMatch(/^whsec_/);

    // Re-upgrading resumes: the next calls go out; the held device.claimed never does.
    await setPlan('pro');
    expect((await hooks())[0].held_by_plan).toBeNull();
    const resumed = await queueAlertCall();
    expect(await finished(resumed)).toBe('delivered');
    const nextClaim = await claimOne('ห้องประชุม');
    await waitFor(async () => claimedCalls(nextClaim).length === 1, 30_000, 'device.claimed after upgrade');
    expect(claimedCalls(heldClaim)).toHaveLength(0);
    const heldSent = receiver.calls
      .slice(callsBefore)
      .filter((c) => [alertItem, eventItem].includes(c.headers['x-esp32cloud-delivery']));
    expect(heldSent).toHaveLength(0);
  });
});
