import type { CreateDeviceResponse } from '@esp32cloud/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { operatorToken, provisionDevice } from './operator.ts';

// "Continue with Google" against the Auth emulator, fully offline, in real Chromium: the app's local account
// picker hands the emulator an unsigned Google ID token and the emulator issues a real google.com session.
// Every request the page makes must stay on this machine (no apis.google.com, no CDN).

const hasChromium = requireProgram('chromium');

interface EmulatorUser {
  localId: string;
  email: string;
  displayName?: string;
  providerUserInfo?: Array<{ providerId: string; email?: string }>;
}

/** Records every request that leaves this machine. */
function watchOffline(page: Page): string[] {
  const external: string[] = [];
  page.on('request', (request) => {
    const { hostname } = new URL(request.url());
    const local = hostname === '127.0.0.1' || hostname === 'localhost' || hostname.endsWith('.localhost');
    if (!local && !request.url().startsWith('data:')) external.push(request.url());
  });
  return external;
}

async function pickGoogleAccount(page: Page, email: string, name: string, screenshotName?: string) {
  await page.getByRole('button', { name: 'ดำเนินการต่อด้วย Google' }).click();
  const dialog = page.getByRole('dialog', { name: 'เข้าสู่ระบบด้วย Google (ทดสอบ)' });
  await dialog.waitFor();
  await dialog.getByLabel('อีเมลบัญชี Google').fill(email);
  await dialog.getByLabel('ชื่อ (ไม่บังคับ)').fill(name);
  if (screenshotName) await screenshot(page, screenshotName);
  await dialog.getByRole('button', { name: 'เข้าสู่ระบบด้วยบัญชีนี้' }).click();
}

describe.skipIf(!hasChromium)('Google sign-in through the Auth emulator (Chromium)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let device: CreateDeviceResponse;

  async function emulatorUsers(email: string): Promise<EmulatorUser[]> {
    const response = await fetch(
      `http://${stack.authHost}/identitytoolkit.googleapis.com/v1/projects/${stack.projectId}/accounts:lookup`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
        body: JSON.stringify({ email: [email] }),
      },
    );
    expect(response.ok).toBe(true);
    return ((await response.json()) as { users?: EmulatorUser[] }).users ?? [];
  }

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    device = await provisionDevice(stack.apiUrl!, await operatorToken(stack.authHost!, stack.projectId));
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  it('signs in as a google.com user, keeps the session across a reload, signs out and back in to the same account', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const external = watchOffline(page);
    const email = uniqueEmail('google');

    await page.goto(`${web.url}/`);
    await page.waitForURL(/\/signin\?next=%2F$/);

    // Cancelling the picker is a choice, not an error.
    await page.getByRole('button', { name: 'ดำเนินการต่อด้วย Google' }).click();
    await page.getByRole('dialog').getByLabel('อีเมลบัญชี Google').press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.getByRole('alert').count()).toBe(0);

    await pickGoogleAccount(page, email, 'สมชาย ใจดี', 'google-1-picker');
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('signed-in-as').getByText(email).waitFor();
    await screenshot(page, 'google-2-dashboard');

    // The emulator holds one account for this address, signed in through google.com with the chosen name.
    const [user, ...others] = await emulatorUsers(email);
    expect(others).toEqual([]);
    expect(user?.displayName).toBe('สมชาย ใจดี');
    expect(user?.providerUserInfo?.map((info) => info.providerId)).toEqual(['google.com']);

    await page.reload();
    await page.getByTestId('signed-in-as').getByText(email).waitFor();

    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);

    // The same Google account again: the same user, not a new one.
    await pickGoogleAccount(page, email, '');
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('signed-in-as').getByText(email).waitFor();
    const again = await emulatorUsers(email);
    expect(again.map((u) => u.localId)).toEqual([user!.localId]);

    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('signs in with Google in the middle of the setup wizard without losing its progress', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const external = watchOffline(page);
    const link = new URL(device.setup_url);
    await page.goto(`${web.url}/setup${link.search}`);
    await page.waitForURL(`${web.url}/setup`);
    await page.getByTestId('check-ok').waitFor();
    await page.getByRole('button', { name: 'ถัดไป' }).click();

    await page.getByText('เข้าสู่ระบบหรือสร้างบัญชีเพื่อทำต่อ').waitFor();
    await pickGoogleAccount(page, uniqueEmail('google-setup'), 'Google Owner', 'google-3-wizard-picker');

    // Straight on to naming; the claim code from the QR link is still there, so claiming succeeds.
    await page.getByRole('heading', { name: 'ตั้งชื่ออุปกรณ์' }).waitFor();
    expect(await page.getByTestId('setup').getAttribute('data-step')).toBe('claim');
    await page.getByRole('textbox', { name: 'ชื่ออุปกรณ์', exact: true }).fill('ห้องครัว');
    await page.getByRole('button', { name: 'เพิ่มเข้าบัญชีของฉัน' }).click();
    await page.getByRole('heading', { name: 'เชื่อมต่อ Wi-Fi' }).waitFor();
    expect(await page.getByTestId('ap-name').textContent()).toBe(device.device_id);
    await screenshot(page, 'google-4-wizard-claimed');

    await page.getByRole('button', { name: 'ทำภายหลัง' }).click();
    await page.getByRole('button', { name: 'ไปที่อุปกรณ์ของฉัน' }).click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId(`device-card-${device.device_id}`).getByText('ห้องครัว').waitFor();

    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });
});
