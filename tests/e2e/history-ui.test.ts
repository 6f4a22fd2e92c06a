import { DAY_MS, hourStart } from '@esp32cloud/protocol';
import { initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { seedDevice, seedHistory } from '../analytics/history-seed.ts';
import { signIn, signUp, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// History on the device page and the operators' fleet page, in real Chromium against the api function in the
// Functions emulator and our Firestore emulator, on seeded history documents (the bridge's side is
// bridge/test/history.test.ts).

const hasChromium = requireProgram('chromium');
const DEVICE = 'ESP32_HUI001';

describe.skipIf(!hasChromium)('history and fleet analytics in the browser (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let db: Firestore;
  let owner: TestUser;
  let operator: TestUser;
  const hourNow = hourStart(Date.now());

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    useStackEnv(stack);
    const app = initializeApp({ projectId: stack.projectId }, `history-ui-${stack.projectId}`);
    db = getFirestore(app);
    owner = await signUp(stack.authHost!);
    operator = await signUp(stack.authHost!);
    const claim = await fetch(
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
    expect(claim.ok).toBe(true);
    operator = await signIn(stack.authHost!, operator.email, operator.password);
    await seedDevice(db, DEVICE, {
      owner: owner.uid,
      online: true,
      batch: 'B-UI-1',
      claimed: Date.now() - DAY_MS,
    });
    await db
      .doc(`devices/${DEVICE}`)
      .update({ 'state.readings': { temperature: 27.3, humidity: 61, pressure: 1008 } });
    await seedDevice(db, 'ESP32_HUI002', { owner: null, batch: 'B-UI-1' });
    await seedHistory(db, DEVICE, hourNow - 8 * DAY_MS, hourNow);
    // The Functions emulator's first request starts its worker: not part of what the page is judged on.
    await fetch(`${stack.apiUrl}/health`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  async function signedIn(user: TestUser, errors: string[]): Promise<Page> {
    const page = await newPhonePage(browser, errors, { timezoneId: 'Asia/Bangkok', locale: 'th-TH' });
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    return page;
  }

  const drawn = async (page: Page) => {
    await page
      .waitForSelector('[data-testid="history"][data-state="drawn"] [data-testid="history-chart"] canvas', {
        timeout: 60_000,
      })
      .catch(async (error) => {
        await screenshot(page, 'history-not-drawn');
        const text = await page.getByTestId('history').textContent();
        const calls = await page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('/api/'))
            .map((e) => `${e.name} ${Math.round(e.duration)} ms`),
        );
        throw new Error(`history not drawn: ${text} (API calls: ${calls.join(', ')})`, { cause: error });
      });
    const section = page.getByTestId('history');
    return {
      points: Number(await page.getByTestId('history-chart').getAttribute('data-points')),
      from: Number(await section.getAttribute('data-from')),
      to: Number(await section.getAttribute('data-to')),
    };
  };

  it('a customer opens History: 24 h per minute, 7 days per hour with the live point, in Thai and English', async () => {
    const errors: string[] = [];
    const page = await signedIn(owner, errors);
    await page.goto(`${web.url}/devices/${DEVICE}`);
    await page.getByTestId('history-open').click();

    // 24 h: one point per stored minute in the range (the current hour is not stored yet) + the live reading.
    const day = await drawn(page);
    const firstMinute = Math.ceil(day.from / 60_000) * 60_000;
    expect(day.points).toBe((Math.min(day.to, hourNow) - firstMinute) / 60_000 + 1);
    expect(await page.getByRole('heading', { name: 'ประวัติการใช้งาน' }).count()).toBe(1);
    expect(await page.getByTestId('history').textContent()).toContain('Asia/Bangkok');

    await page.getByTestId('history-range-7d').click();
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="history-chart"]')?.getAttribute('data-points')) < 1000,
      undefined,
      { timeout: 30_000 },
    );
    const week = await drawn(page);
    expect(week.points).toBe(7 * 24 + 1);
    await screenshot(page, 'history-7d-th');

    await page.getByTestId('lang-switch').click();
    await page.waitForSelector('[data-testid="history"][data-lang="en"]');
    expect(await page.getByRole('heading', { name: 'Usage history' }).count()).toBe(1);
    expect((await drawn(page)).points).toBe(7 * 24 + 1);
    expect(await page.getByTestId('history').textContent()).toContain('Connection');
    expect(await page.getByTestId('history').textContent()).not.toContain('การเชื่อมต่อ');
    await screenshot(page, 'history-7d-en');

    // 30 days on the Free plan (7 days of hourly detail): shown per day with a note, not refused.
    await page.getByTestId('history-range-30d').click();
    await page.getByTestId('history-daily-only').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('history-daily-only').textContent()).toContain('7 days of hourly detail');
    const month = await drawn(page);
    expect(month.to - month.from).toBe(30 * DAY_MS);
    expect(month.points).toBeGreaterThan(0);
    expect(month.points).toBeLessThanOrEqual(32);
    expect(await page.getByTestId('upgrade-prompt').count()).toBe(0);
    expect(errors.filter((e) => !e.includes('403'))).toEqual([]);
  }, 120_000);

  it('the operator page shows the fleet figures of the seeded fleet, a customer is told it is for operators', async () => {
    const errors: string[] = [];
    const page = await signedIn(operator, errors);
    await page.goto(`${web.url}/admin/analytics`);
    const row = page.locator('[data-testid="fleet-batches"] tr[data-batch="B-UI-1"]');
    await row.waitFor({ timeout: 30_000 });
    expect((await row.textContent())?.replace(/\s+/g, '')).toBe('B-UI-12150%');
    expect(await page.getByTestId('fleet-types').textContent()).toContain('Sensor: 2');
    await screenshot(page, 'fleet-analytics');
    expect(errors).toEqual([]);

    const customer = await signedIn(owner, []);
    await customer.goto(`${web.url}/admin/analytics`);
    await customer.getByTestId('fleet-error').waitFor();
    expect(await customer.getByTestId('fleet-error').textContent()).toBe('หน้านี้สำหรับเจ้าหน้าที่ (operator) เท่านั้น');
  }, 120_000);
});
