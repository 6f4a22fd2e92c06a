import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// The alert UI in real Chromium, under the real firestore.rules and the api function: the bell shows the
// unread count live as notifications arrive (written as the bridge writes them) and as one is marked read;
// the owner makes a threshold rule on the device page in Thai.

const hasChromium = requireProgram('chromium');
const DEVICE = 'ESP32_AL0001';

describe.skipIf(!hasChromium)('alert UI: bell, notification centre, rules (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let owner: TestUser;
  let db: Firestore;
  const appName = `alerts-ui-${Math.random().toString(36).slice(2)}`;

  const notify = (id: string, read = false) =>
    db.doc(`users/${owner.uid}/notifications/${id}`).set({
      notification_id: id,
      alert_id: id,
      rule_id: 'r1',
      rule_name: null,
      device_id: DEVICE,
      device_name: 'ตู้แช่',
      condition: {
        kind: 'threshold',
        reading: 'temperature',
        direction: 'above',
        threshold: 8,
        hysteresis: 1,
        minutes: 0,
      },
      severity: 'critical',
      value: 9.5,
      fired_at: new Date().toISOString(),
      resolved_at: null,
      read,
      read_at: null,
    });

  beforeAll(async () => {
    // The notifications page asks the api for its settings and webhooks at once, beside a "mark read": warm
    // workers, as `npm start` runs them, so no request waits for a cold worker start on a loaded machine.
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'], warmFunctionWorkers: 3 });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    owner = await signUp(stack.authHost!);
    useStackEnv(stack);
    db = getFirestore(initializeApp({ projectId: stack.projectId }, appName));
    const now = Timestamp.now();
    await db.doc(`devices/${DEVICE}`).set({
      device_id: DEVICE,
      serial_number: 'ESP3200000001A',
      device_type: 'Sensor',
      firmware_version: '1.0.0',
      status: 'active',
      owner_uid: owner.uid,
      created_at: now,
      state: {
        online: true,
        last_seen: now,
        outputs: {},
        readings: { temperature: 4.2, humidity: 60, pressure: 1010 },
      },
      desired: { outputs: {} },
    });
    await db.doc(`user_devices/${owner.uid}_${DEVICE}`).set({
      user_id: owner.uid,
      device_id: DEVICE,
      device_name: 'ตู้แช่',
      access_level: 'owner',
      added_at: now,
      last_accessed: now,
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
    if (db) await deleteApp(getApp(appName)).catch(() => undefined);
  });

  async function signedIn(errors: string[]) {
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    return page;
  }

  it('the bell shows the unread count live; marking read in the centre lowers it', async () => {
    const errors: string[] = [];
    const page = await signedIn(errors);
    await page.getByTestId('bell').waitFor();
    expect(await page.getByTestId('bell-count').count()).toBe(0);

    await notify('n1');
    await expect.poll(() => page.getByTestId('bell-count').textContent(), { timeout: 10_000 }).toBe('1');
    await notify('n2');
    await expect.poll(() => page.getByTestId('bell-count').textContent(), { timeout: 10_000 }).toBe('2');

    await page.getByTestId('bell').click();
    await page.getByTestId('notification-centre').waitFor();
    await page.getByText('อุณหภูมิ สูงกว่า 8 °C').first().waitFor();
    await page.getByRole('button', { name: 'ทำเครื่องหมายว่าอ่านแล้ว' }).first().click();
    await expect
      .poll(() => page.getByTestId('bell-count').textContent(), { timeout: 30_000 })
      .toBe('1')
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nbrowser errors: ${errors.join(' | ')}\npage: ${(await page.textContent('body'))?.slice(0, 800)}`,
        );
      });
    await screenshot(page, 'alerts-centre');
    expect(errors).toEqual([]);
  });

  it('the owner creates a threshold rule on the device page, in Thai', async () => {
    const errors: string[] = [];
    const page = await signedIn(errors);
    await page.goto(`${web.url}/devices/${DEVICE}`);
    await page
      .getByTestId('alert-rules')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nbrowser errors: ${errors.join(' | ')}\npage: ${(await page.textContent('body'))?.slice(0, 800)}`,
        );
      });
    await page.getByText('กฎการแจ้งเตือน').waitFor();
    await page.getByTestId('rule-kind').selectOption('threshold');
    await page.getByTestId('rule-threshold').fill('8');
    await page.getByRole('combobox', { name: 'ระดับ' }).selectOption('critical');
    await page.getByTestId('rule-add').click();
    await page.getByTestId('alert-rule').first().waitFor();
    expect(await page.getByTestId('alert-rule').first().textContent()).toContain('อุณหภูมิ สูงกว่า 8 °C');
    const rules = await db.collection('alert_rules').where('device_id', '==', DEVICE).get();
    expect(rules.size).toBe(1);
    expect(rules.docs[0].data()).toMatchObject({
      owner_uid: owner.uid,
      severity: 'critical',
      condition: { kind: 'threshold', reading: 'temperature', direction: 'above', threshold: 8 },
    });
    await screenshot(page, 'alerts-rule-created');
    expect(errors).toEqual([]);
  });
});
