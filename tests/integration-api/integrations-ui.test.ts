import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { newPhonePage, screenshot } from '../e2e/browser.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';

// The Integrations page in real Chromium against the api function: a Pro customer creates an API key, sees it
// once (with a copy button), and after a reload only its display prefix is left; the key works against the API.

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)('Integrations page (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let owner: TestUser;
  let db: Firestore;
  const appName = `integrations-ui-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    // The page asks the api for its keys, devices and webhooks at once; three warm workers keep a cold worker start (tens
    // of seconds on a loaded CI machine) out of the page's waits.
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'], warmFunctionWorkers: 3 });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    owner = await signUp(stack.authHost!);
    useStackEnv(stack);
    db = getFirestore(initializeApp({ projectId: stack.projectId }, appName));
    await db.doc(`users/${owner.uid}`).set({ plan: 'pro' }, { merge: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
    if (db) await deleteApp(getApp(appName)).catch(() => undefined);
  });

  it('creates an API key that is shown once, in Thai', { timeout: 120_000 }, async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('nav-integrations').click();
    const explain = async (error: Error) => {
      throw new Error(
        `${error.message}\nurl: ${page.url()}\nbrowser errors: ${errors.join(' | ')}\npage: ${(await page.textContent('body'))?.slice(0, 800)}`,
      );
    };
    await page.getByTestId('api-keys').waitFor({ timeout: 60_000 }).catch(explain);
    await page.getByText('ยังไม่มีคีย์').waitFor();

    await page.getByRole('textbox', { name: 'ชื่อคีย์' }).fill('ระบบ ERP');
    await page.getByRole('combobox', { name: 'สิทธิ์' }).selectOption('control');
    await page.getByTestId('api-key-create').click();
    const shown = page.getByTestId('api-key-value');
    await shown.waitFor({ timeout: 60_000 }).catch(explain);
    const key = (await shown.textContent()) ?? '';
    expect(key).toMatch(/^e32k_[A-Za-z0-9_-]{43}$/);
    await page.getByText('คัดลอกคีย์นี้เก็บไว้ตอนนี้ จะไม่แสดงอีก').waitFor();
    await page.getByRole('button', { name: 'คัดลอก' }).waitFor();
    await page.getByTestId('api-key-row').filter({ hasText: 'ระบบ ERP' }).waitFor();
    await screenshot(page, 'integrations-key-shown');

    // Shown once: after a reload the list has the key's prefix only.
    await page.reload();
    await page.getByTestId('api-key-row').filter({ hasText: 'ระบบ ERP' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('api-key-value').count()).toBe(0);
    expect(await page.textContent('body')).not.toContain(key);
    expect(await page.getByTestId('api-key-row').textContent()).toContain(key.slice(0, 11));

    const me = await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    expect(errors).toEqual([]);
  });
});
