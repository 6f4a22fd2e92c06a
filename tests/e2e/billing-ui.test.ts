import { once } from 'node:events';
import { createServer } from 'node:net';
import { type CreateDeviceResponse, usageMonthId } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import {
  functionsBillingEnv,
  type StripeStandin,
  startLocalStripeStandin,
} from '../../tools/stripe-standin/src/index.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { seedOwnedDevices } from '../harness/owned-devices.ts';
import { freePort } from '../harness/ports.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { operatorToken, provisionDevice } from './operator.ts';

// Issue 16's customer path in real Chromium: a Free customer with five devices scans a sixth, the setup
// wizard's claim step shows the upgrade prompt (Thai), the Account page shows plan and usage, Upgrade goes
// through Checkout on the local Stripe stand-in, whose signed webhook makes the account Pro, and the sixth
// device is then claimed.

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)(
  'plans and billing in the web app (Chromium + emulators + Stripe stand-in)',
  () => {
    let standin: StripeStandin;
    let stack: Stack;
    let web: WebServer;
    let browser: Browser;
    let customer: TestUser;
    let sixth: CreateDeviceResponse;

    beforeAll(async () => {
      standin = await startLocalStripeStandin({ host: '127.0.0.1', port: await freePort() });
      const webPort = await freePort();
      // Checkout returns to APP_URL, so the web server's port is chosen before the stack starts; it is held
      // meanwhile, or another suite's freePort() could take it during the minute the stack needs.
      const held = createServer().listen(webPort, '127.0.0.1');
      await once(held, 'listening');
      stack = await startStack({
        firestore: true,
        firebase: ['auth', 'functions'],
        // The Account page asks for the account and the plans at once: warm workers keep cold starts out of its waits.
        warmFunctionWorkers: 2,
        functionsEnv: { ...functionsBillingEnv(standin), APP_URL: `http://127.0.0.1:${webPort}` },
      });
      standin.setWebhookUrl(`${stack.apiUrl}/billing/webhook`);
      await new Promise((resolve) => held.close(resolve));
      web = await startWebServer({
        config: runtimeConfigForStack(stack),
        apiUrl: stack.apiUrl,
        port: webPort,
      });
      browser = await launchChromium();
      const operator = await operatorToken(stack.authHost!, stack.projectId);
      sixth = await provisionDevice(stack.apiUrl!, operator, '4Relay');

      customer = await signUp(stack.authHost!);
      process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
      const app =
        getApps().find((a) => a.name === stack.projectId) ??
        initializeApp({ projectId: stack.projectId }, stack.projectId);
      const db = getFirestore(app);
      await seedOwnedDevices(db, customer.uid, 5, { prefix: 'BILL' });
      const month = usageMonthId(Date.now());
      await db.doc(`usage_monthly/${customer.uid}_${month}`).set({ messages: 12_345, api_calls: 0 });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await web?.stop();
      await stack?.stop();
      await standin?.stop();
    });

    it('shows the upgrade prompt at the device limit, the Account page, and upgrades through Checkout', async () => {
      const errors: string[] = [];
      const page = await newPhonePage(browser, errors);
      await page.goto(`${web.url}/signin`);
      await page.getByRole('textbox', { name: 'อีเมล' }).fill(customer.email);
      await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(customer.password);
      await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
      await page.waitForURL(`${web.url}/`);

      // The sixth device, from its QR link: the claim step answers with the upgrade prompt.
      await page.goto(`${web.url}/setup${new URL(sixth.setup_url).search}`);
      await page.getByTestId('check-ok').waitFor();
      await page.getByRole('button', { name: 'ถัดไป' }).click();
      await page.getByRole('heading', { name: 'ตั้งชื่ออุปกรณ์' }).waitFor();
      await page.getByRole('textbox', { name: 'ชื่ออุปกรณ์', exact: true }).fill('ห้องทำงาน');
      await page.getByRole('button', { name: 'เพิ่มเข้าบัญชีของฉัน' }).click();
      const prompt = page.getByTestId('upgrade-prompt');
      await prompt.waitFor();
      expect(await prompt.textContent()).toContain('แพ็กเกจของคุณเพิ่มอุปกรณ์ได้ 5 เครื่อง');
      expect(await prompt.getByTestId('upgrade-link').textContent()).toBe('อัปเกรดเป็น โปร');
      await screenshot(page, 'billing-upgrade-prompt-th');

      // The Account page: Free, five of five devices, this month's messages.
      await prompt.getByTestId('upgrade-link').click();
      await page.waitForURL(`${web.url}/account?upgrade=pro`);
      await page.getByTestId('account-page').waitFor();
      expect(await page.getByTestId('account-plan-name').textContent()).toBe('ฟรี');
      expect(await page.getByTestId('usage-devices').textContent()).toBe('5 / 5');
      expect(await page.getByTestId('usage-messages').textContent()).toBe('12,345');
      expect(await page.getByTestId('billing-status').textContent()).toContain('ยังไม่ได้สมัครสมาชิก');
      await screenshot(page, 'billing-account-free-th');

      // Upgrade: Checkout on the stand-in, "Pay", back on the Account page as Pro.
      await page.getByTestId('upgrade-pro').click();
      await page.waitForURL(`${standin.url}/checkout/**`);
      expect(await page.getByTestId('standin-plan').textContent()).toBe('pro');
      await page.getByTestId('standin-pay').click();
      await page.waitForURL(`${web.url}/account?billing=success`);
      await page.getByTestId('account-plan-name').getByText('โปร').waitFor();
      expect(await page.getByTestId('usage-devices').textContent()).toBe('5 / 50');
      expect(await page.getByTestId('billing-status').textContent()).toContain('ใช้งานอยู่');
      expect(await page.getByTestId('account-invoices').textContent()).toContain('199');
      await page.getByTestId('manage-billing').waitFor();
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('account-plan-name').getByText('Pro').waitFor();
      await screenshot(page, 'billing-account-pro-en');

      // Now the sixth device is claimed.
      const claimed = await fetch(`${stack.apiUrl}/devices/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.idToken}` },
        body: JSON.stringify({
          serial_number: sixth.serial_number,
          claim_code: sixth.claim_code,
          device_name: 'ห้องทำงาน',
        }),
      });
      expect(claimed.status).toBe(201);
      expect(errors.filter((e) => !/403|plan_limit|Failed to load resource/.test(e))).toEqual([]);
    });
  },
);
