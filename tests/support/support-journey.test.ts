import { configFromEnv } from '@esp32cloud/bridge';
import type { RunningBroker } from '@esp32cloud/broker';
import { waitFor } from '@esp32cloud/broker/testing';
import { type MailCatcher, startMailCatcher } from '@esp32cloud/mail-catcher';
import {
  type AdminSearchResponse,
  type AuditEntry,
  type CreateDeviceResponse,
  type SupportMetrics,
  type Ticket,
  type TicketMessage,
  type TimelineResponse,
  topics,
} from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { deleteApp as deleteWebApp, type FirebaseApp, initializeApp as initializeWebApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import {
  addDoc,
  collection,
  connectFirestoreEmulator,
  doc,
  onSnapshot,
  orderBy,
  query,
  setDoc,
  terminate,
  getFirestore as webFirestore,
} from 'firebase/firestore';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import type { Stack } from '../harness/stack.ts';

// Issue 15's support journey through every real part: a customer's device (simulated, its own broker
// credentials) is switched, then drops off and logs an error; the customer opens a ticket (the API takes the
// device snapshot); an operator finds it by the customer's email, reads the merged timeline (the customer's
// command, the ack, the device's logs, the offline change), replies; the customer sees the reply live (web SDK
// under the product's rules) and gets the email (the alert mailer in the bridge → the real SMTP catcher); the
// operator transfers the device with a reason and the audit log shows it. A stranger reads none of it.

const kind = brokerUnderTest('support journey');

describe(`support journey: customer → ticket → operator console → reply → transfer (${kind} broker)`, () => {
  let platform: Platform;
  let broker: RunningBroker;
  let stack: Stack;
  let mail: MailCatcher;
  let device: SimulatedDevice;
  let provisioned: CreateDeviceResponse;
  let customer: TestUser;
  let stranger: TestUser;
  let newOwner: TestUser;
  let operator: TestUser;
  let db: Firestore;
  let web: FirebaseApp;
  let ticket: Ticket;
  const thread: TicketMessage[] = [];
  let stopListening: () => void = () => undefined;
  let rekeyedPassword = '';

  const api = async (method: string, path: string, user: TestUser | string, body?: unknown) => {
    const token = typeof user === 'string' ? user : user.idToken;
    const response = await fetch(`${stack.apiUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test reads JSON replies field by field
    return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
  };
  const deviceId = () => provisioned.device_id;

  beforeAll(async () => {
    mail = await startMailCatcher();
    const alerts = configFromEnv({}).alerts;
    platform = await startPlatform({
      kind,
      functionsEnv: { APP_URL: 'http://127.0.0.1:5000' },
      bridge: (started) => ({
        alerts: {
          ...alerts,
          smtpUrl: mail.smtpUrl,
          appUrl: 'http://127.0.0.1:5000',
          apiUrl: started.apiUrl as string,
          outboxPollMs: 300,
        },
      }),
    });
    ({ broker, stack, db } = platform);
    const authHost = stack.authHost as string;
    const operatorIdToken = await operatorToken(authHost, stack.projectId);
    operator = { idToken: operatorIdToken } as TestUser;
    provisioned = await provisionDevice(stack.apiUrl as string, operatorIdToken, '4Relay');
    customer = await signUp(authHost);
    stranger = await signUp(authHost);
    newOwner = await signUpVerified(authHost, stack.projectId);
    const registered = await api('POST', '/devices/register', customer, {
      serial_number: provisioned.serial_number,
      claim_code: provisioned.claim_code,
      device_name: 'ปั๊มน้ำ 💧',
    });
    expect(registered.status).toBe(201);

    device = startSimulatedDevice(provisioned.flash_config, { brokerUrl: broker.url });
    await device.waitConnected(10_000);
    await waitFor(async () => (await db.doc(`devices/${deviceId()}`).get()).get('state.online') === true);

    // The customer switches a relay (the command the operator must see), then the unit drops off the network
    // and, reconnecting briefly, logs why.
    const sent = await api('POST', `/devices/${deviceId()}/control`, customer, {
      command: 'relay',
      relay: 1,
      state: 'on',
    });
    expect(sent.status).toBe(202);
    await waitFor(
      async () =>
        (await db.doc(`devices/${deviceId()}/commands/${sent.body.command_id}`).get()).get('status') ===
        'acked',
    );
    await device.injectFault({ kind: 'drop' });
    await waitFor(
      async () => (await db.doc(`devices/${deviceId()}`).get()).get('state.online') === false,
      15_000,
    );
    const flash = provisioned.flash_config;
    const raw = await mqtt.connectAsync(broker.url, {
      username: flash.username,
      password: flash.password,
      clientId: flash.serial_number,
      protocolVersion: broker.mqttVersion,
      reconnectPeriod: 0,
    });
    await raw.publishAsync(
      topics.logs(flash.serial_number),
      JSON.stringify({ v: 1, level: 'error', message: 'wifi: AP "บ้าน" not found' }),
      { qos: 0 },
    );
    await raw.endAsync();
    await waitFor(
      async () =>
        !(await db.collection(`devices/${deviceId()}/logs`).where('level', '==', 'error').get()).empty,
    );
  }, 240_000);

  afterAll(async () => {
    stopListening();
    if (web) {
      await terminate(webFirestore(web)).catch(() => undefined);
      await deleteWebApp(web).catch(() => undefined);
    }
    await device?.stop({ graceful: false });
    await platform?.stop();
    await mail?.stop();
  });

  it('the customer opens a ticket about the offline device and the API takes its snapshot', async () => {
    const empty = await api('POST', '/tickets', customer, { device_id: deviceId(), description: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('description');
    const opened = await api('POST', '/tickets', customer, {
      device_id: deviceId(),
      description: 'ปั๊มน้ำออฟไลน์ตั้งแต่เช้า\nลองถอดปลั๊กแล้ว',
      language: 'th',
    });
    expect(opened.status).toBe(201);
    ticket = opened.body;
    expect(ticket.status).toBe('open');
    expect(ticket.number).toBeGreaterThan(1000);
    expect(ticket.subject).toBe('ปั๊มน้ำออฟไลน์ตั้งแต่เช้า');
    expect(ticket.snapshot).toMatchObject({ device_id: deviceId(), online: false, device_type: '4Relay' });
    expect(ticket.snapshot?.last_seen).not.toBeNull();
    expect(ticket.snapshot?.recent_errors.map((e) => e.message)).toContain('wifi: AP "บ้าน" not found');

    const mine = await api('GET', '/tickets', customer);
    expect(mine.body.tickets.map((t: Ticket) => t.ticket_id)).toEqual([ticket.ticket_id]);

    // The customer's thread, live through the web SDK under the product's rules.
    web = initializeWebApp({ projectId: stack.projectId, apiKey: 'demo-api-key' }, `support-${customer.uid}`);
    const auth = getAuth(web);
    connectAuthEmulator(auth, `http://${stack.authHost}`, { disableWarnings: true });
    await signInWithEmailAndPassword(auth, customer.email, customer.password);
    const firestore = webFirestore(web);
    const [host, port] = (stack.firestoreHost as string).split(':');
    connectFirestoreEmulator(firestore, host, Number(port));
    stopListening = onSnapshot(
      query(collection(firestore, `support_tickets/${ticket.ticket_id}/messages`), orderBy('created_at')),
      (snapshot) => {
        thread.length = 0;
        thread.push(...snapshot.docs.map((d) => d.data() as TicketMessage));
      },
    );
    await waitFor(() => thread.length === 1);
  });

  it("a stranger reads neither the ticket nor any admin route, and cannot open a ticket on another's device", async () => {
    expect((await api('GET', `/tickets/${ticket.ticket_id}`, stranger)).status).toBe(404);
    expect(
      (await api('POST', `/tickets/${ticket.ticket_id}/messages`, stranger, { body: 'hi' })).status,
    ).toBe(404);
    expect((await api('GET', '/tickets', stranger)).body.tickets).toEqual([]);
    expect(
      (await api('POST', '/tickets', stranger, { device_id: deviceId(), description: 'x' })).status,
    ).toBe(404);
    for (const path of [
      `/admin/devices?query=${encodeURIComponent(customer.email)}`,
      `/admin/devices/${deviceId()}`,
      `/admin/devices/${deviceId()}/timeline`,
      '/admin/audit',
      '/admin/metrics',
      `/admin/customers/${customer.uid}`,
    ]) {
      const reply = await api('GET', path, stranger);
      expect(reply.status, path).toBe(403);
      expect(reply.body.error.code).toBe('permission_denied');
    }
    const action = await api('POST', `/admin/devices/${deviceId()}/actions/release`, customer, {
      reason: 'I own it anyway',
      confirm: provisioned.serial_number,
    });
    expect(action.status).toBe(403);
    expect(
      (await api('PATCH', `/tickets/${ticket.ticket_id}`, customer, { status: 'resolved' })).status,
    ).toBe(403);
    expect((await api('GET', '/admin/audit', 'not-a-token')).status).toBe(401);
  });

  it("the operator finds the device by the customer's email, serial, serial prefix and ticket number", async () => {
    const byEmail = await api('GET', `/admin/devices?query=${encodeURIComponent(customer.email)}`, operator);
    expect(byEmail.status).toBe(200);
    const found = byEmail.body as AdminSearchResponse;
    expect(found.matched).toBe('email');
    expect(found.customer?.uid).toBe(customer.uid);
    expect(found.devices.map((d) => d.device_id)).toEqual([deviceId()]);
    expect(found.tickets.map((t) => t.ticket_id)).toEqual([ticket.ticket_id]);

    const serial = provisioned.serial_number;
    const lower = serial.toLowerCase();
    expect((await api('GET', `/admin/devices?query=${lower}`, operator)).body.matched).toBe('serial');
    const prefix = await api('GET', `/admin/devices?query=${serial.slice(0, -2)}`, operator);
    expect(prefix.body.matched).toBe('serial_prefix');
    expect(prefix.body.devices.map((d: { device_id: string }) => d.device_id)).toContain(deviceId());
    const byNumber = await api('GET', `/admin/devices?query=%23${ticket.number}`, operator);
    expect(byNumber.body.matched).toBe('ticket');
    expect(byNumber.body.devices[0].device_id).toBe(deviceId());
    expect((await api('GET', `/admin/devices?query=${deviceId()}`, operator)).body.matched).toBe('device_id');
    expect((await api('GET', '/admin/devices?query=', operator)).status).toBe(400);

    const view = await api('GET', `/admin/devices/${deviceId()}`, operator);
    expect(view.body).toMatchObject({ device_id: deviceId(), online: false, broker_registered: true });
    expect(view.body.users).toEqual([
      expect.objectContaining({ uid: customer.uid, email: customer.email, access_level: 'owner' }),
    ]);
    expect((await api('GET', '/admin/devices/NOPE_1', operator)).status).toBe(404);

    const page = await api('GET', `/admin/customers/${customer.uid}`, operator);
    expect(page.body.devices.map((d: { device_id: string }) => d.device_id)).toEqual([deviceId()]);
    expect(page.body.tickets.map((t: Ticket) => t.ticket_id)).toEqual([ticket.ticket_id]);
  });

  it('the timeline merges the command, its ack, the logs, the offline change, the claim and the ticket', async () => {
    const reply = await api('GET', `/admin/devices/${deviceId()}/timeline?limit=100`, operator);
    expect(reply.status).toBe(200);
    const { events } = reply.body as TimelineResponse;
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['command', 'ack', 'log', 'status', 'claim', 'ticket'] as const)
      expect(kinds, k).toContain(k);
    const command = events.find((e) => e.kind === 'command');
    expect(command).toMatchObject({ actor: customer.uid, data: { command: 'relay', status: 'acked' } });
    expect(events.some((e) => e.kind === 'log' && e.data.message === 'wifi: AP "บ้าน" not found')).toBe(true);
    expect(events.some((e) => e.kind === 'status' && e.data.online === false)).toBe(true);
    const sorted = [...events].sort((a, b) => b.at.localeCompare(a.at));
    expect(events.map((e) => e.at)).toEqual(sorted.map((e) => e.at));

    // Paging: two at a time, older each page, nothing repeated.
    const first = (await api('GET', `/admin/devices/${deviceId()}/timeline?limit=2`, operator))
      .body as TimelineResponse;
    expect(first.events).toHaveLength(2);
    expect(first.next_before).toMatch(/^c1\./);
    const second = (
      await api(
        'GET',
        `/admin/devices/${deviceId()}/timeline?limit=2&before=${encodeURIComponent(first.next_before!)}`,
        operator,
      )
    ).body as TimelineResponse;
    for (const e of second.events) expect(e.at <= first.events[1].at).toBe(true);
    expect(second.events.map((e) => e.id)).not.toContain(first.events[1].id);
    // A plain time still works as `before`: everything strictly older.
    const older = (
      await api(
        'GET',
        `/admin/devices/${deviceId()}/timeline?before=${encodeURIComponent(first.events[1].at)}`,
        operator,
      )
    ).body as TimelineResponse;
    for (const e of older.events) expect(e.at < first.events[1].at).toBe(true);
    for (const bad of ['yesterday', 'c1.!!', `c1.${Buffer.from('{"at":"x"}').toString('base64url')}`]) {
      const reply = await api(
        'GET',
        `/admin/devices/${deviceId()}/timeline?before=${encodeURIComponent(bad)}`,
        operator,
      );
      expect(reply.status, bad).toBe(400);
      expect(reply.body.error.code).toBe('invalid_argument');
    }
  });

  it('paging never skips or repeats events that share a millisecond across a page boundary', async () => {
    // Seven log lines in one millisecond (microseconds apart, as the bridge's batch can write them), then
    // walk the whole timeline two, three and four at a time: each walk sees every event exactly once, in the
    // order of one full page.
    const millis = Date.parse('2026-11-30T08:00:00.123Z');
    const logs = db.collection(`devices/${deviceId()}/logs`);
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        logs.doc(`same-ms-${i}`).set({
          level: 'info',
          message: `same millisecond ${i}`,
          received_at: new Timestamp(Math.floor(millis / 1000), (millis % 1000) * 1e6 + i * 1000),
        }),
      ),
    );
    const full = (await api('GET', `/admin/devices/${deviceId()}/timeline?limit=200`, operator))
      .body as TimelineResponse;
    expect(full.next_before).toBeNull();
    expect(full.events.filter((e) => e.data.message?.toString().startsWith('same millisecond'))).toHaveLength(
      7,
    );
    for (const size of [2, 3, 4]) {
      const seen: string[] = [];
      let before: string | null = null;
      for (let pageNo = 0; pageNo < 100; pageNo++) {
        const reply = await api(
          'GET',
          `/admin/devices/${deviceId()}/timeline?limit=${size}${before ? `&before=${encodeURIComponent(before)}` : ''}`,
          operator,
        );
        expect(reply.status).toBe(200);
        const page = reply.body as TimelineResponse;
        seen.push(...page.events.map((e) => e.id));
        before = page.next_before;
        if (!before) break;
      }
      expect(seen, `pages of ${size}`).toEqual(full.events.map((e) => e.id));
    }
  });

  it('the operator replies; the customer sees it live, the ticket waits on the customer, and the email arrives', async () => {
    const reply = await api('POST', `/tickets/${ticket.ticket_id}/messages`, operator, {
      body: 'ลองกดปุ่มรีเซ็ต Wi-Fi ค้างไว้ 5 วินาทีครับ',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.author_role).toBe('operator');
    await waitFor(() => thread.length === 2, 10_000, 'live reply');
    expect(thread[1]).toMatchObject({ author_role: 'operator', body: 'ลองกดปุ่มรีเซ็ต Wi-Fi ค้างไว้ 5 วินาทีครับ' });
    const after = (await api('GET', `/tickets/${ticket.ticket_id}`, customer)).body;
    expect(after.ticket.status).toBe('waiting_on_customer');
    expect(after.ticket.first_response_at).not.toBeNull();
    expect(after.messages).toHaveLength(2);

    const email = await waitFor(
      () =>
        mail.messages().find((m) => m.to.includes(customer.email) && m.subject.includes(`#${ticket.number}`)),
      20_000,
      'reply email',
    );
    expect(email.subject).toContain('ปั๊มน้ำออฟไลน์ตั้งแต่เช้า');
    expect(email.text).toContain('ลองกดปุ่มรีเซ็ต Wi-Fi');
    expect(email.text).toContain(`/help/tickets/${ticket.ticket_id}`);

    // The customer answers: the ticket is open again.
    await api('POST', `/tickets/${ticket.ticket_id}/messages`, customer, { body: 'ยังไม่ได้ครับ' });
    expect((await api('GET', `/tickets/${ticket.ticket_id}`, customer)).body.ticket.status).toBe('open');
  });

  it('every action needs a reason, destructive ones a second confirmation, and each is audited', async () => {
    const noReason = await api('POST', `/admin/devices/${deviceId()}/actions/transfer`, operator, {
      email: newOwner.email,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toContain('reason');
    const unconfirmed = await api('POST', `/admin/devices/${deviceId()}/actions/transfer`, operator, {
      email: newOwner.email,
      reason: 'Sold the pump to a neighbour; receipt checked',
    });
    expect(unconfirmed.status).toBe(428);
    expect(unconfirmed.body.error.code).toBe('confirmation_required');
    expect(
      (await api('POST', `/admin/devices/${deviceId()}/actions/explode`, operator, { reason: 'testing' }))
        .status,
    ).toBe(404);

    // A diagnostic ping to an offline device fails, and the failure is audited too.
    const ping = await api('POST', `/admin/devices/${deviceId()}/actions/diagnostic`, operator, {
      reason: 'check whether it answers',
      command: 'ping',
      ticket_id: ticket.ticket_id,
    });
    expect(ping.status).toBe(409);

    const moved = await api('POST', `/admin/devices/${deviceId()}/actions/transfer`, operator, {
      email: newOwner.email,
      reason: 'Sold the pump to a neighbour; receipt checked',
      confirm: provisioned.serial_number.toLowerCase(),
      ticket_id: ticket.ticket_id,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.result.new_owner_uid).toBe(newOwner.uid);
    const deviceDoc = (await db.doc(`devices/${deviceId()}`).get()).data();
    expect(deviceDoc?.owner_uid).toBe(newOwner.uid);
    expect((await api('GET', `/devices/${deviceId()}/status`, customer)).status).toBe(404);

    const audit = await api('GET', `/admin/audit?deviceId=${deviceId()}`, operator);
    const entries = audit.body.entries as AuditEntry[];
    expect(entries[0]).toMatchObject({
      action: 'transfer',
      outcome: 'done',
      reason: 'Sold the pump to a neighbour; receipt checked',
      ticket_id: ticket.ticket_id,
      before: expect.objectContaining({ owner_uid: customer.uid }),
      after: expect.objectContaining({ owner_uid: newOwner.uid }),
    });
    expect(entries[1]).toMatchObject({ action: 'diagnostic', outcome: 'failed', error: 'device_offline' });
    expect(entries[0].entry_id).toBe(moved.body.audit_id);
    const timeline = (await api('GET', `/admin/devices/${deviceId()}/timeline`, operator))
      .body as TimelineResponse;
    expect(
      timeline.events.some((e) => e.kind === 'transfer' && e.data.audit_id === moved.body.audit_id),
    ).toBe(true);

    // Nobody rewrites the audit log through the web SDK, the customer included (rules).
    const firestore = webFirestore(web);
    await expect(
      setDoc(doc(firestore, `support_audit/${entries[0].entry_id}`), { reason: 'x' }),
    ).rejects.toThrow();
    await expect(addDoc(collection(firestore, 'support_audit'), { action: 'release' })).rejects.toThrow();
  });

  it('operators set status and see the metrics', async () => {
    const resolved = await api('PATCH', `/tickets/${ticket.ticket_id}`, operator, { status: 'resolved' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    expect((await api('PATCH', `/tickets/${ticket.ticket_id}`, operator, { status: 'closed' })).status).toBe(
      400,
    );
    const metrics = (await api('GET', '/admin/metrics', operator)).body as SupportMetrics;
    expect(metrics.resolved_tickets).toBeGreaterThanOrEqual(1);
    expect(metrics.median_first_response_seconds).not.toBeNull();
    expect(metrics.by_device_type['4Relay']).toBeGreaterThanOrEqual(1);
    expect(metrics.by_firmware['1.0.0']).toBeGreaterThanOrEqual(1);
    const audit = (await api('GET', '/admin/audit?limit=5', operator)).body.entries as AuditEntry[];
    expect(audit[0]).toMatchObject({
      action: 'ticket_update',
      after: { status: 'resolved', assignee_uid: expect.any(String) },
    });
  });

  it('resend setup link emails the owner (or a given account) the link that reopens setup', async () => {
    const unknown = await api('POST', `/admin/devices/${deviceId()}/actions/resend_setup_link`, operator, {
      reason: 'customer lost the box with the QR label',
      email: 'nobody-here@example.com',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');
    expect(
      (
        await api('POST', `/admin/devices/${deviceId()}/actions/resend_setup_link`, operator, {
          reason: 'customer lost the box with the QR label',
          email: 'not an email',
        })
      ).status,
    ).toBe(400);

    const sent = await api('POST', `/admin/devices/${deviceId()}/actions/resend_setup_link`, operator, {
      reason: 'customer lost the box with the QR label',
    });
    expect(sent.status).toBe(200);
    expect(sent.body.result.sent_to).toBe(newOwner.email);
    expect(sent.body.result.setup_url).toContain(encodeURIComponent(provisioned.serial_number));
    const email = await waitFor(
      () =>
        mail
          .messages()
          .find((m) => m.to.includes(newOwner.email) && m.text.includes(sent.body.result.setup_url)),
      20_000,
      'setup link email',
    );
    expect(email.subject).toContain(provisioned.serial_number);
    const audit = (await api('GET', `/admin/audit?deviceId=${deviceId()}&limit=1`, operator)).body
      .entries as AuditEntry[];
    expect(audit[0]).toMatchObject({
      action: 'resend_setup_link',
      outcome: 'done',
      entry_id: sent.body.audit_id,
    });
  });

  it('re-key revokes the old broker password at once and returns a new one that connects, never logged', async () => {
    const flash = provisioned.flash_config;
    const connect = (password: string) =>
      mqtt.connectAsync(broker.url, {
        username: flash.username,
        password,
        clientId: flash.serial_number,
        protocolVersion: broker.mqttVersion,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      });
    const unconfirmed = await api(
      'POST',
      `/admin/devices/${deviceId()}/actions/revoke_credentials`,
      operator,
      {
        reason: 'credentials leaked in a forum post',
      },
    );
    expect(unconfirmed.status).toBe(428);
    const stillWorks = await connect(flash.password);
    await stillWorks.endAsync();

    const rekeyed = await api('POST', `/admin/devices/${deviceId()}/actions/revoke_credentials`, operator, {
      reason: 'credentials leaked in a forum post',
      confirm: provisioned.serial_number,
      rekey: true,
    });
    expect(rekeyed.status).toBe(200);
    const { broker_password: newPassword, broker_username: username } = rekeyed.body.result;
    rekeyedPassword = newPassword;
    expect(rekeyed.body.result).toMatchObject({ revoked: true, broker_updated: true });
    expect(username).toBe(flash.username);
    expect(typeof newPassword).toBe('string');
    expect(newPassword).not.toBe(flash.password);

    await expect(connect(flash.password)).rejects.toThrow();
    const fresh = await connect(newPassword);
    expect(fresh.connected).toBe(true);
    await fresh.endAsync();

    // The new password exists only in that one answer: not in the audit entry, not in a client-readable doc.
    const audit = (await api('GET', `/admin/audit?deviceId=${deviceId()}&limit=1`, operator)).body
      .entries as AuditEntry[];
    expect(audit[0]).toMatchObject({ action: 'revoke_credentials', outcome: 'done' });
    expect(JSON.stringify(audit[0])).not.toContain(newPassword);
    const secret = (await db.doc(`device_secrets/${deviceId()}`).get()).data() ?? {};
    expect(JSON.stringify(secret)).not.toContain(newPassword);
    expect(JSON.stringify((await db.doc(`devices/${deviceId()}`).get()).data())).not.toContain(newPassword);
  });

  it('the re-keyed unit answers a diagnostic ping, gets a fresh claim code, and is decommissioned', async () => {
    // The re-key disconnected the unit (its old password is refused): wait until the bridge has recorded that,
    // so the online state below is the new connection's.
    await device.stop({ graceful: false });
    await waitFor(
      async () => (await db.doc(`devices/${deviceId()}`).get()).get('state.online') === false,
      15_000,
      'old connection offline',
    );
    device = startSimulatedDevice(
      { ...provisioned.flash_config, password: rekeyedPassword },
      { brokerUrl: broker.url },
    );
    await device.waitConnected(10_000);
    await waitFor(async () => (await db.doc(`devices/${deviceId()}`).get()).get('state.online') === true);

    const ping = await api('POST', `/admin/devices/${deviceId()}/actions/diagnostic`, operator, {
      reason: 'check whether it answers after the re-key',
      command: 'ping',
    });
    expect(ping.status, JSON.stringify(ping.body)).toBe(200);
    expect(ping.body.result.command).toBe('ping');
    await waitFor(
      async () =>
        (await db.doc(`devices/${deviceId()}/commands/${ping.body.result.command_id}`).get()).get(
          'status',
        ) === 'acked',
      15_000,
      'ping acked',
    );
    // A claim code is only for a unit nobody owns: release it from its owner first.
    const owned = await api('POST', `/admin/devices/${deviceId()}/actions/reissue_claim_code`, operator, {
      reason: 'claim label unreadable',
    });
    expect(owned.status).toBe(409);
    expect(owned.body.error.code).toBe('already_claimed');
    const released = await api('POST', `/admin/devices/${deviceId()}/actions/release`, operator, {
      reason: 'owner returned the unit to the shop',
      confirm: provisioned.serial_number,
    });
    expect(released.status).toBe(200);
    expect((await db.doc(`devices/${deviceId()}`).get()).get('owner_uid') ?? null).toBeNull();
    const reissued = await api('POST', `/admin/devices/${deviceId()}/actions/reissue_claim_code`, operator, {
      reason: 'claim label unreadable',
    });
    expect(reissued.status).toBe(200);
    expect(reissued.body.result.claim_code).toMatch(/\S{6,}/);
    expect(new URL(reissued.body.result.setup_url).searchParams.get('c')).toBe(
      reissued.body.result.claim_code,
    );

    const unconfirmed = await api('POST', `/admin/devices/${deviceId()}/actions/decommission`, operator, {
      reason: 'unit returned broken; scrapped',
    });
    expect(unconfirmed.status).toBe(428);
    const ended = await api('POST', `/admin/devices/${deviceId()}/actions/decommission`, operator, {
      reason: 'unit returned broken; scrapped',
      confirm: provisioned.serial_number,
    });
    expect(ended.status).toBe(200);
    expect(ended.body.result).toMatchObject({
      serial_number: provisioned.serial_number,
      broker_revoked: true,
    });
    expect((await db.doc(`devices/${deviceId()}`).get()).exists).toBe(false);
    expect((await db.doc(`serials/${provisioned.serial_number}`).get()).get('retired_at')).toBeDefined();
    await expect(
      mqtt.connectAsync(broker.url, {
        username: provisioned.flash_config.username,
        password: rekeyedPassword,
        clientId: provisioned.serial_number,
        protocolVersion: broker.mqttVersion,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      }),
    ).rejects.toThrow();

    // Every one of them is in the append-only audit log, newest first.
    const audit = (await api('GET', `/admin/audit?deviceId=${deviceId()}&limit=5`, operator)).body
      .entries as AuditEntry[];
    expect(audit.map((e) => [e.action, e.outcome])).toEqual([
      ['decommission', 'done'],
      ['reissue_claim_code', 'done'],
      ['release', 'done'],
      ['reissue_claim_code', 'failed'],
      ['diagnostic', 'done'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(reissued.body.result.claim_code);
  });
});
