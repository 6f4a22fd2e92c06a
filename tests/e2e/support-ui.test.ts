import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// Both sides of the support portal in real Chromium, under the real firestore.rules and the api function.
// The customer (Thai, then English) opens help for an offline device, sees the troubleshooting steps before the
// form and sends a ticket; the operator (English, then Thai) finds the customer by email, reads the device page
// (users, timeline, the live log tail growing as a log line lands), replies, and the customer's thread shows
// the reply live; the operator releases the device through the second confirmation and the audit page shows
// it. A customer opening the console sees only the refusal.

const hasChromium = requireProgram('chromium');
const DEVICE = 'ESP32_SU0001';
const SERIAL = 'ESP3200000777A';

describe.skipIf(!hasChromium)(
  'support portal UI: help, tickets, operator console (Chromium + emulators)',
  () => {
    let stack: Stack;
    let web: WebServer;
    let browser: Browser;
    let customer: TestUser;
    let operator: TestUser;
    let db: Firestore;
    let customerPage: Page;
    const errors: string[] = [];
    const appName = `support-ui-${Math.random().toString(36).slice(2)}`;

    const fail = (page: Page) => async (error: Error) => {
      throw new Error(
        `${error.message}\nbrowser errors: ${errors.join(' | ')}\npage: ${(await page.textContent('body'))?.slice(0, 800)}`,
      );
    };

    async function signedIn(user: TestUser, language: 'th' | 'en') {
      const page = await newPhonePage(browser, errors);
      await page.addInitScript((lang) => localStorage.setItem('esp32cloud.lang', lang), language);
      await page.goto(`${web.url}/signin`);
      await page.getByRole('textbox', { name: language === 'th' ? 'อีเมล' : 'Email' }).fill(user.email);
      await page
        .getByRole('textbox', { name: language === 'th' ? 'รหัสผ่าน' : 'Password' })
        .fill(user.password);
      await page
        .getByRole('button', { name: language === 'th' ? 'เข้าสู่ระบบ' : 'Sign in' })
        .last()
        .click();
      await page.waitForURL(`${web.url}/`);
      return page;
    }

    beforeAll(async () => {
      stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
      web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
      browser = await launchChromium();
      customer = await signUp(stack.authHost!);
      operator = await signUp(stack.authHost!);
      const claims = await fetch(
        `http://${stack.authHost}/identitytoolkit.googleapis.com/v1/projects/${stack.projectId}/accounts:update`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
          body: JSON.stringify({
            localId: operator.uid,
            customAttributes: JSON.stringify({ role: 'operator' }),
          }),
        },
      );
      expect(claims.ok).toBe(true);
      useStackEnv(stack);
      db = getFirestore(initializeApp({ projectId: stack.projectId }, appName));
      const hourAgo = Timestamp.fromMillis(Date.now() - 3600_000);
      await db.doc(`devices/${DEVICE}`).set({
        device_id: DEVICE,
        serial_number: SERIAL,
        device_type: '4Relay',
        firmware_version: '1.0.0',
        status: 'active',
        owner_uid: customer.uid,
        created_at: hourAgo,
        registered_at: hourAgo,
        state: {
          online: false,
          last_seen: hourAgo,
          outputs: { relay1: false, relay2: false, relay3: false, relay4: false },
          readings: {},
          rssi: -71,
        },
        desired: null,
      });
      await db.doc(`device_configs/${DEVICE}`).set({
        device_id: DEVICE,
        wifi_ssid: 'บ้านสวน',
        mqtt_broker_url: 'mqtt://127.0.0.1:1883',
        update_interval: 30,
        custom_settings: {},
        updated_at: hourAgo,
      });
      await db
        .doc(`device_secrets/${DEVICE}`)
        .set({ device_id: DEVICE, serial_number: SERIAL, broker_registered: true });
      await db.doc(`serials/${SERIAL}`).set({ device_id: DEVICE, batch_id: null, created_at: hourAgo });
      await db.doc(`user_devices/${customer.uid}_${DEVICE}`).set({
        user_id: customer.uid,
        device_id: DEVICE,
        device_name: 'ปั๊มน้ำสวน',
        access_level: 'owner',
        added_at: hourAgo,
        last_accessed: hourAgo,
      });
      await db.doc(`devices/${DEVICE}/logs/l1`).set({
        serial_number: SERIAL,
        level: 'error',
        message: 'wifi: disconnected (reason 201)',
        fields: null,
        device_ts: null,
        received_at: hourAgo,
      });
      await db.doc(`devices/${DEVICE}/status_changes/s1`).set({ online: false, previous: true, at: hourAgo });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await web?.stop();
      await stack?.stop();
      if (db) await deleteApp(getApp(appName)).catch(() => undefined);
    });

    it('the customer gets the offline steps first (Thai and English), then sends a ticket', async () => {
      customerPage = await signedIn(customer, 'th');
      const page = customerPage;
      await page.goto(`${web.url}/devices/${DEVICE}`);
      await page.getByTestId('get-help').click();
      const steps = page.getByTestId('self-help');
      await steps.waitFor().catch(fail(page));
      expect(await steps.getAttribute('data-state')).toBe('offline');
      await page.getByText('อุปกรณ์ออฟไลน์ ลองทำตามนี้ก่อน').waitFor();
      await page.getByText('กดปุ่มรีเซ็ตค้างไว้ 5 วินาที', { exact: false }).waitFor();
      expect(await page.getByTestId('ticket-form').count()).toBe(0);

      await page.getByTestId('lang-switch').click();
      await page.getByText('The device is offline. Try these steps first').waitFor();
      await page.getByText('2.4 GHz', { exact: false }).first().waitFor();
      await screenshot(page, 'support-self-help-en');
      await page.getByTestId('lang-switch').click();

      await page.getByTestId('still-broken').click();
      await page.getByTestId('ticket-description').fill('ปั๊มไม่ทำงานตั้งแต่เมื่อวาน');
      // The first API call may need a fresh Functions worker, slow on a loaded machine: wait for the answer.
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/tickets') && r.request().method() === 'POST', {
          timeout: 120_000,
        }),
        page.getByTestId('ticket-submit').click(),
      ]);
      expect(created.status(), await created.text()).toBe(201);
      await page.waitForURL(/\/help\/tickets\//).catch(fail(page));
      await page.getByTestId('ticket-thread').waitFor().catch(fail(page));
      await page.getByText('ปั๊มไม่ทำงานตั้งแต่เมื่อวาน').first().waitFor();
      expect(await page.getByTestId('ticket-status').textContent()).toBe('เปิดอยู่');
      await screenshot(page, 'support-ticket-th');
    }, 180_000);

    it('a customer opening the console sees only the refusal', async () => {
      const page = await newPhonePage(browser, errors);
      await page.addInitScript(() => localStorage.setItem('esp32cloud.lang', 'en'));
      await page.goto(`${web.url}/signin`);
      await page.getByRole('textbox', { name: 'Email' }).fill(customer.email);
      await page.getByRole('textbox', { name: 'Password' }).fill(customer.password);
      await page.getByRole('button', { name: 'Sign in' }).last().click();
      await page.waitForURL(`${web.url}/`);
      await page.goto(`${web.url}/operator`);
      await page.getByTestId('not-operator').waitFor().catch(fail(page));
      expect(await page.getByTestId('nav-console').count()).toBe(0);
      await page.context().close();
    });

    it('the operator finds the customer, reads the device and replies; the customer sees it live', async () => {
      const page = await signedIn(operator, 'en');
      await page.getByTestId('nav-console').click();
      await page.getByTestId('operator-console').waitFor().catch(fail(page));
      await page.getByTestId('operator-metrics').waitFor().catch(fail(page));
      expect(Number(await page.getByTestId('metric-open').textContent())).toBeGreaterThanOrEqual(1);
      await page.getByTestId('operator-search').fill(customer.email);
      await page.getByTestId('operator-search-go').click();
      const results = page.getByTestId('search-results');
      await results.waitFor().catch(fail(page));
      expect(await results.getAttribute('data-matched')).toBe('email');
      await results.getByRole('link', { name: SERIAL }).click();

      await page.getByTestId('operator-device').waitFor().catch(fail(page));
      await page.getByTestId('operator-users').getByText(customer.email).waitFor();
      await page.getByText('บ้านสวน').waitFor();
      await page.getByText('-71 dBm').waitFor();
      const timeline = page.getByTestId('timeline');
      await timeline.locator('[data-kind="ticket"]').first().waitFor().catch(fail(page));
      await timeline.locator('[data-kind="log"]').first().waitFor();
      await timeline.locator('[data-kind="status"]').first().waitFor();
      const tail = page.getByTestId('live-tail');
      await tail.getByText('wifi: disconnected (reason 201)', { exact: false }).waitFor().catch(fail(page));
      await db.collection(`devices/${DEVICE}/logs`).add({
        serial_number: SERIAL,
        level: 'warn',
        message: 'mqtt: reconnecting',
        fields: null,
        device_ts: null,
        received_at: Timestamp.now(),
      });
      await tail.getByText('mqtt: reconnecting', { exact: false }).waitFor().catch(fail(page));
      await screenshot(page, 'support-operator-device-en');

      // The ticket, from the timeline's device: open it through the console's queue and reply.
      await page.goto(`${web.url}/operator`);
      await page.getByTestId('ticket-queue').getByRole('link').first().click();
      await page.getByTestId('operator-ticket').waitFor().catch(fail(page));
      await page.getByTestId('ticket-snapshot').getByText('wifi: disconnected (reason 201)').waitFor();
      await page.getByTestId('ticket-reply').fill('Please hold the reset button for 5 seconds.');
      await page.getByTestId('ticket-send').click();
      await customerPage
        .getByText('Please hold the reset button for 5 seconds.')
        .waitFor({ timeout: 15_000 })
        .catch(fail(customerPage));
      await customerPage.getByText('ทีมซัพพอร์ต').first().waitFor();
      await expect.poll(() => customerPage.getByTestId('ticket-status').textContent()).toBe('รอคำตอบจากคุณ');

      // The console in Thai too.
      await page.getByTestId('lang-switch').click();
      await page.getByText('สถานะคำขอ').waitFor();
      await page.getByTestId('lang-switch').click();
    }, 180_000);

    it('a destructive action needs the second confirmation and lands in the audit log', async () => {
      const page = await signedIn(operator, 'en');
      await page.goto(`${web.url}/operator/devices/${DEVICE}`);
      await page.getByTestId('operator-actions').waitFor().catch(fail(page));
      await page.getByTestId('action-select').selectOption('release');
      await page.getByTestId('action-reason').fill('Customer sold the unit; confirmed by phone');
      await page.getByTestId('action-run').click();
      const dialog = page.getByTestId('action-confirm');
      await dialog.waitFor();
      await dialog.getByText(SERIAL, { exact: false }).waitFor();
      await page.getByTestId('action-confirm-serial').fill('WRONG');
      await page.getByTestId('action-confirm-go').click();
      await page.getByTestId('action-error').waitFor().catch(fail(page));
      expect((await db.doc(`devices/${DEVICE}`).get()).get('owner_uid')).toBe(customer.uid);

      await page.getByTestId('action-run').click();
      await page.getByTestId('action-confirm-serial').fill(SERIAL);
      await page.getByTestId('action-confirm-go').click();
      await page.getByTestId('action-done').waitFor().catch(fail(page));
      expect((await db.doc(`devices/${DEVICE}`).get()).get('owner_uid')).toBeNull();

      await page.goto(`${web.url}/operator/audit?deviceId=${DEVICE}`);
      const audit = page.getByTestId('operator-audit');
      await audit
        .locator('[data-action="release"]')
        .filter({ hasText: '(done)' })
        .waitFor()
        .catch(fail(page));
      await audit.getByText('Customer sold the unit; confirmed by phone').first().waitFor();
      await screenshot(page, 'support-audit-en');
      expect(errors).toEqual([]);
    });
  },
);
