import { configFromEnv, type RunningBridge, startBridge } from '@esp32cloud/bridge';
import { bridgeConnection, type RunningBroker } from '@esp32cloud/broker';
import { waitFor } from '@esp32cloud/broker/testing';
import { type MailCatcher, startMailCatcher } from '@esp32cloud/mail-catcher';
import type { CreateDeviceResponse, NotificationDoc } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '@esp32cloud/webhooks';
import { deleteApp as deleteWebApp, type FirebaseApp, initializeApp as initializeWebApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import {
  collection,
  connectFirestoreEmulator,
  onSnapshot,
  orderBy,
  query,
  terminate,
  getFirestore as webFirestore,
} from 'firebase/firestore';
import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { setPlan } from '../harness/plans.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import type { Stack } from '../harness/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.ts';

// Issue 14's journey through every real part: the owner makes rules through the API (Functions emulator); a
// simulated sensor (its own broker credentials) crosses the threshold; TWO ingest bridges (one shared
// subscription group) evaluate it; the episode lands once in the notification centre (read live with the web
// SDK under the product's rules), once in the mail catcher (a real SMTP server) and at a webhook receiver on
// 127.0.0.1 (signature checked, retried after a 500). Then flapping, removal of a viewer, quiet hours and an
// offline episode from the simulator's drop-off fault.

const kind = brokerUnderTest('alerts journey');

describe(`alerts journey: API → ${kind} broker → simulated sensor → two bridges → app, mail, webhook`, () => {
  let platform: Platform;
  let broker: RunningBroker;
  let stack: Stack;
  let mail: MailCatcher;
  let hooks: WebhookReceiver;
  const bridges: RunningBridge[] = [];
  let device: SimulatedDevice;
  let provisioned: CreateDeviceResponse;
  let owner: TestUser;
  let viewer: TestUser;
  let db: Firestore;
  let webhookSecret: string;
  let web: FirebaseApp;
  const live: NotificationDoc[] = [];
  let stopListening: () => void = () => undefined;

  const api = async (method: string, path: string, user: TestUser, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.idToken}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const deviceId = () => provisioned.device_id;
  const temperature = async (value: number) => device.setReadings({ temperature: value });
  const notificationsOf = async (uid: string) =>
    (await db.collection(`users/${uid}/notifications`).get()).docs.map((d) => d.data() as NotificationDoc);
  const settled = () => Promise.all(bridges.map((b) => b.idle()));

  beforeAll(async () => {
    // Two bridges, started below with their own accounts.
    platform = await startPlatform({ kind, bridgeInstances: 2, bridge: false });
    ({ broker, stack, db } = platform);
    mail = await startMailCatcher();
    hooks = await startWebhookReceiver();

    const operator = await operatorToken(stack.authHost as string, stack.projectId);
    provisioned = await provisionDevice(stack.apiUrl as string, operator, 'Sensor');
    owner = await signUp(stack.authHost as string);
    // Alert webhooks are not in Free (docs/BILLING.md).
    await setPlan(stack, owner.uid, 'pro');
    // Shares go only to verified emails (docs/SECURITY.md).
    viewer = await signUpVerified(stack.authHost as string, stack.projectId);
    const registered = await api('POST', '/devices/register', owner, {
      serial_number: provisioned.serial_number,
      claim_code: provisioned.claim_code,
      device_name: 'ตู้แช่ ❄️',
    });
    expect(registered.status).toBe(201);
    expect(
      (
        await api('POST', `/devices/${deviceId()}/shares`, owner, {
          email: viewer.email,
          access_level: 'viewer',
        })
      ).status,
    ).toBe(201);

    const base = configFromEnv({});
    // Two instances, each with its own account and pinned client id (bridge, bridge-2), one share group.
    for (const account of [broker.serviceCredentials.bridge.username, 'bridge-2']) {
      bridges.push(
        await startBridge({
          ...base,
          ...bridgeConnection(broker, { account }),
          projectId: stack.projectId,
          alerts: {
            ...base.alerts,
            smtpUrl: mail.smtpUrl,
            appUrl: 'http://127.0.0.1:5000',
            apiUrl: stack.apiUrl as string,
            webhookInitialDelayMs: 200,
            webhookAttempts: 4,
            outboxPollMs: 300,
          },
        }),
      );
    }
    device = startSimulatedDevice(provisioned.flash_config, { brokerUrl: broker.url });
    await device.waitConnected(10_000);
    await temperature(5);
    await waitFor(async () => (await db.doc(`devices/${deviceId()}`).get()).get('state.online') === true);

    // The owner's notification centre, read live by the web SDK under the product's rules.
    web = initializeWebApp({ projectId: stack.projectId, apiKey: 'demo-api-key' }, `alerts-${owner.uid}`);
    const auth = getAuth(web);
    connectAuthEmulator(auth, `http://${stack.authHost}`, { disableWarnings: true });
    await signInWithEmailAndPassword(auth, owner.email, owner.password);
    const firestore = webFirestore(web);
    const [host, port] = (stack.firestoreHost as string).split(':');
    connectFirestoreEmulator(firestore, host, Number(port));
    stopListening = onSnapshot(
      query(collection(firestore, `users/${owner.uid}/notifications`), orderBy('fired_at', 'desc')),
      (snapshot) => {
        live.length = 0;
        live.push(...snapshot.docs.map((d) => d.data() as NotificationDoc));
      },
    );
  }, 240_000);

  afterAll(async () => {
    stopListening();
    if (web) {
      await terminate(webFirestore(web)).catch(() => undefined);
      await deleteWebApp(web).catch(() => undefined);
    }
    await device?.stop({ graceful: false });
    for (const bridge of bridges) await bridge.stop();
    await mail?.stop();
    await hooks?.stop();
    await platform?.stop();
  });

  it('answers bad rules, settings and webhooks with clear 400s, and only the owner makes rules', async () => {
    const missing = await api('POST', `/devices/${deviceId()}/alert-rules`, owner, {
      condition: { kind: 'threshold' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid_argument');
    expect(missing.body.error.message).toMatch(/condition\.(reading|direction|threshold)/);

    const unknownKind = await api('POST', `/devices/${deviceId()}/alert-rules`, owner, {
      condition: { kind: 'smoke' },
    });
    expect(unknownKind.status).toBe(400);

    const wrongReading = await api('POST', `/devices/${deviceId()}/alert-rules`, owner, {
      condition: { kind: 'threshold', reading: 'voltage', direction: 'above', threshold: 3 },
    });
    expect(wrongReading.status).toBe(400);
    expect(wrongReading.body.error.message).toContain('has no reading "voltage"');

    const byViewer = await api('POST', `/devices/${deviceId()}/alert-rules`, viewer, {
      condition: { kind: 'offline', minutes: 0 },
    });
    expect(byViewer.status).toBe(403);

    const badZone = await api('PUT', `/users/${owner.uid}/notification-settings`, owner, {
      language: 'th',
      channels: { info: ['in_app'], warning: ['in_app'], critical: ['in_app'] },
      quiet_hours: { start: '22:00', end: '25:00', time_zone: 'Mars/Olympus' },
      daily_cap: 10,
      subscriptions: {},
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.message).toContain('quiet_hours.end');
    expect(badZone.body.error.message).toContain('quiet_hours.time_zone');

    const badUrl = await api('POST', `/users/${owner.uid}/webhooks`, owner, { url: 'ftp://example' });
    expect(badUrl.status).toBe(400);
    expect((await api('GET', `/users/${viewer.uid}/notifications`, owner)).status).toBe(403);
  });

  it('the owner sets channels and a webhook; "send test" reaches the receiver signed', async () => {
    const settings = await api('PUT', `/users/${owner.uid}/notification-settings`, owner, {
      language: 'th',
      channels: { info: ['in_app'], warning: ['in_app', 'email'], critical: ['in_app', 'email', 'webhook'] },
      quiet_hours: null,
      daily_cap: 50,
      subscriptions: {},
    });
    expect(settings.status).toBe(200);
    expect(settings.body.email).toBe(owner.email);
    // The viewer subscribes to the owner's alerts for this device, in-app only.
    const viewerSettings = await api('PUT', `/users/${viewer.uid}/notification-settings`, viewer, {
      language: 'en',
      channels: { info: ['in_app'], warning: ['in_app'], critical: ['in_app'] },
      quiet_hours: null,
      daily_cap: 50,
      subscriptions: { [deviceId()]: true },
    });
    expect(viewerSettings.status).toBe(200);

    const created = await api('POST', `/users/${owner.uid}/webhooks`, owner, {
      url: hooks.url,
      description: 'home',
    });
    expect(created.status).toBe(201);
    webhookSecret = created.body.secret;
    expect(webhookSecret).toMatch(/^whsec_/);
    const listed = await api('GET', `/users/${owner.uid}/webhooks`, owner);
    expect(listed.body.webhooks).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(webhookSecret);

    const test = await api('POST', `/users/${owner.uid}/webhooks/${created.body.webhook_id}/test`, owner);
    expect(test.status).toBe(200);
    expect(test.body.delivery.ok).toBe(true);
    const call = hooks.calls.find((c) => c.json.event === 'webhook.test');
    expect(call).toBeDefined();
    expect(
      verifyWebhook(
        webhookSecret,
        call!.headers[TIMESTAMP_HEADER],
        call!.headers[SIGNATURE_HEADER],
        call!.body,
      ),
    ).toBe(true);
    expect(
      verifyWebhook(
        'whsec_wrong',
        call!.headers[TIMESTAMP_HEADER],
        call!.headers[SIGNATURE_HEADER],
        call!.body,
      ),
    ).toBe(false);
  });

  it('a threshold crossing fires exactly one alert: notification centre, email (Thai), webhook (retried after a 500)', async () => {
    const rule = await api('POST', `/devices/${deviceId()}/alert-rules`, owner, {
      name: 'ตู้แช่ร้อน',
      condition: {
        kind: 'threshold',
        reading: 'temperature',
        direction: 'above',
        threshold: 8,
        hysteresis: 1,
      },
      severity: 'critical',
    });
    expect(rule.status).toBe(201);
    expect((await api('GET', `/devices/${deviceId()}/alert-rules`, owner)).body.rules).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000)); // the bridges' rule listeners
    hooks.failNext(500);

    await temperature(9.5);
    const fired = await waitFor(
      () => live.find((n) => n.rule_id === rule.body.rule_id),
      10_000,
      'live notification',
    );
    expect(fired).toMatchObject({
      device_id: deviceId(),
      device_name: 'ตู้แช่ ❄️',
      severity: 'critical',
      value: 9.5,
      read: false,
    });

    const email = await waitFor(
      () => mail.messages().find((m) => m.to.includes(owner.email)),
      10_000,
      'email',
    );
    expect(email.subject).toContain('วิกฤต');
    expect(email.subject).toContain('ตู้แช่ ❄️');
    expect(email.subject).toContain('อุณหภูมิ สูงกว่า 8 °C');
    expect(email.headers['content-language']).toBe('th');
    expect(email.text).toContain(`http://127.0.0.1:5000/devices/${deviceId()}`);
    expect(email.html).toContain('ยกเลิกการรับอีเมลแจ้งเตือน');
    const unsubscribe = /(http\S+\/api\/notifications\/unsubscribe\?token=[\w-]+)/.exec(email.text)?.[1];
    expect(unsubscribe).toBeDefined();
    expect(email.headers['list-unsubscribe']).toContain('/api/notifications/unsubscribe?token=');

    const fires = await waitFor(
      () => {
        const calls = hooks.calls.filter((c) => c.json.event === 'alert.fired');
        return calls.length >= 2 ? calls : null;
      },
      15_000,
      'webhook retried',
    );
    expect(fires[0].headers['x-esp32cloud-delivery']).toBe(fires[1].headers['x-esp32cloud-delivery']);
    for (const call of fires)
      expect(
        verifyWebhook(
          webhookSecret,
          call.headers[TIMESTAMP_HEADER],
          call.headers[SIGNATURE_HEADER],
          call.body,
        ),
      ).toBe(true);
    expect(fires[1].json.alert).toMatchObject({ device_id: deviceId(), severity: 'critical', value: 9.5 });

    // The subscribed viewer got it too; more reports above the threshold fire nothing new.
    for (const value of [9.6, 9.7, 9.8]) await temperature(value);
    await new Promise((r) => setTimeout(r, 1500));
    await settled();
    expect((await notificationsOf(owner.uid)).filter((n) => n.rule_id === rule.body.rule_id)).toHaveLength(1);
    expect((await notificationsOf(viewer.uid)).filter((n) => n.rule_id === rule.body.rule_id)).toHaveLength(
      1,
    );
    expect(mail.messages().filter((m) => m.to.includes(owner.email))).toHaveLength(1);
    expect(hooks.calls.filter((c) => c.json.event === 'alert.fired')).toHaveLength(2);
    const alerts = await db.collection('alerts').where('rule_id', '==', rule.body.rule_id).get();
    expect(alerts.size).toBe(1); // two bridges, one episode

    // Marked read through the API; the live listener sees it.
    const read = await api('POST', `/users/${owner.uid}/notifications/${fired.notification_id}/read`, owner);
    expect(read.status).toBe(200);
    await waitFor(() => live.find((n) => n.notification_id === fired.notification_id)?.read === true);
    const listed = await api('GET', `/users/${owner.uid}/notifications`, owner);
    expect(listed.body.unread).toBe(0);

    // Back below threshold − hysteresis: resolved (in-app entry marked, webhook told).
    await temperature(6.5);
    await waitFor(
      () => live.find((n) => n.notification_id === fired.notification_id)?.resolved_at,
      10_000,
      'resolved',
    );
    await waitFor(
      () => hooks.calls.some((c) => c.json.event === 'alert.resolved'),
      10_000,
      'resolved webhook',
    );
  });

  it('a removed viewer gets nothing; a flapping value (threshold ± 0.1) fires once', async () => {
    expect((await api('DELETE', `/devices/${deviceId()}/shares/${viewer.uid}`, owner)).status).toBe(204);
    const ruleId = (await api('GET', `/devices/${deviceId()}/alert-rules`, owner)).body.rules[0].rule_id;
    const before = (await notificationsOf(owner.uid)).length;
    for (let i = 0; i < 8; i++) await temperature(i % 2 === 0 ? 8.1 : 7.9);
    await waitFor(
      async () => (await notificationsOf(owner.uid)).length === before + 1,
      10_000,
      'second episode',
    );
    await new Promise((r) => setTimeout(r, 1500));
    await settled();
    expect((await notificationsOf(owner.uid)).filter((n) => n.rule_id === ruleId)).toHaveLength(2);
    expect((await notificationsOf(viewer.uid)).filter((n) => n.rule_id === ruleId)).toHaveLength(1);
    expect((await db.collection('alerts').where('rule_id', '==', ruleId).get()).size).toBe(2);
    await temperature(5);
  });

  it('quiet hours hold email and webhooks but not the in-app entry; offline fires on drop-off and resolves on reconnect', async () => {
    const now = new Date();
    const hhmm = (d: Date) =>
      `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const quiet = await api('PUT', `/users/${owner.uid}/notification-settings`, owner, {
      language: 'en',
      channels: {
        info: ['in_app'],
        warning: ['in_app', 'email', 'webhook'],
        critical: ['in_app', 'email', 'webhook'],
      },
      quiet_hours: {
        start: hhmm(new Date(now.getTime() - 3600_000)),
        end: hhmm(new Date(now.getTime() + 3600_000)),
        time_zone: 'UTC',
      },
      daily_cap: 50,
      subscriptions: {},
    });
    expect(quiet.status).toBe(200);
    const rule = await api('POST', `/devices/${deviceId()}/alert-rules`, owner, {
      condition: { kind: 'offline', minutes: 0 },
      severity: 'warning',
    });
    expect(rule.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    const mailsBefore = mail.messages().length;
    const hooksBefore = hooks.calls.length;

    await device.injectFault({ kind: 'drop' });
    const offline = await waitFor(
      () => live.find((n) => n.rule_id === rule.body.rule_id),
      15_000,
      'offline alert',
    );
    expect(offline.condition.kind).toBe('offline');
    const held = await waitFor(async () => {
      const items = await db.collection('alert_outbox').where('alert_id', '==', offline.alert_id).get();
      return items.size === 2 ? items.docs.map((d) => d.data()) : null;
    });
    for (const item of held) {
      expect(item.state).toBe('pending');
      expect(item.deliver_after).toBeGreaterThan(Date.now() + 30 * 60_000);
    }
    await new Promise((r) => setTimeout(r, 2000));
    expect(mail.messages()).toHaveLength(mailsBefore);
    expect(hooks.calls).toHaveLength(hooksBefore);

    device.recover();
    await device.waitConnected(15_000);
    await waitFor(
      () => live.find((n) => n.notification_id === offline.notification_id)?.resolved_at,
      15_000,
      'offline resolved',
    );
    expect(live.filter((n) => n.rule_id === rule.body.rule_id)).toHaveLength(1);
  });
});
