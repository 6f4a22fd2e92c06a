import { deleteApp, getApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { newPhonePage, screenshot } from '../e2e/browser.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';

// The Integrations page in real Chromium against the api function: a Pro customer creates an API key, sees it
// once (with a copy button), and after a reload only its display prefix is left; the key works against the API.
// The personal / organisation switch: a Pro customer is told organisations need Business; a Business owner
// creates one, adds a member by email, sees the members list and creates an organisation key (creator shown).
// After a downgrade, an event webhook endpoint shows that its calls are held, with its events still ticked.

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

    // The organisation side on Pro: the plan that has it is named, with the link to the plans.
    await page.getByRole('radio', { name: 'องค์กร' }).check();
    await page.getByRole('textbox', { name: 'ชื่อองค์กร' }).fill('ร้านของฉัน');
    await page.getByRole('button', { name: 'สร้างองค์กร' }).click();
    await page.getByText('องค์กรมีในแพ็กเกจธุรกิจ อัปเกรดเพื่อใช้งาน').waitFor({ timeout: 30_000 }).catch(explain);
    expect(errors).toEqual([]);
  });

  it('a Business owner creates an organisation, adds a member and an organisation key', {
    timeout: 120_000,
  }, async () => {
    const business = await signUpVerified(stack.authHost!, stack.projectId);
    const colleague = await signUpVerified(stack.authHost!, stack.projectId);
    await db.doc(`users/${business.uid}`).set({ plan: 'business' }, { merge: true });
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(business.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(business.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('nav-integrations').click();
    const explain = async (error: Error) => {
      throw new Error(
        `${error.message}\nbrowser errors: ${errors.join(' | ')}\npage: ${(await page.textContent('body'))?.slice(0, 800)}`,
      );
    };
    await page.getByRole('radio', { name: 'องค์กร' }).check({ timeout: 60_000 }).catch(explain);
    await page.getByRole('textbox', { name: 'ชื่อองค์กร' }).fill('บริษัท ทดสอบ 🏭');
    await page.getByRole('button', { name: 'สร้างองค์กร' }).click();
    await page
      .getByTestId('organisation-name')
      .filter({ hasText: 'บริษัท ทดสอบ 🏭' })
      .waitFor({ timeout: 30_000 })
      .catch(explain);

    await page.getByRole('textbox', { name: 'อีเมลสมาชิก' }).fill(colleague.email);
    await page.getByTestId('organisation-member-add').click();
    await page
      .getByTestId('organisation-member')
      .filter({ hasText: colleague.email })
      .waitFor({ timeout: 30_000 })
      .catch(explain);
    await page.getByTestId('organisation-member').filter({ hasText: 'เจ้าของ (ผู้ดูแล)' }).waitFor();

    const keys = page.getByTestId('organisation-api-keys');
    await keys.getByRole('textbox', { name: 'ชื่อคีย์' }).fill('ระบบโรงงาน');
    await keys.getByTestId('api-key-create').click();
    const shown = keys.getByTestId('api-key-value');
    await shown.waitFor({ timeout: 30_000 }).catch(explain);
    expect((await shown.textContent()) ?? '').toMatch(/^e32k_/);
    await keys
      .getByTestId('api-key-row')
      .filter({ hasText: `สร้างโดย ${business.email}` })
      .waitFor();
    await screenshot(page, 'integrations-organisation');

    // The switch back: the personal list does not hold the organisation's key.
    await page.getByRole('radio', { name: 'ส่วนตัว' }).check();
    await page.getByTestId('api-keys').getByText('ยังไม่มีคีย์').waitFor({ timeout: 30_000 }).catch(explain);
    expect(errors).toEqual([]);
  });

  it('shows an event webhook held by a downgrade, its settings kept', { timeout: 120_000 }, async () => {
    const customer = await signUp(stack.authHost!);
    await db.doc(`users/${customer.uid}`).set({ plan: 'pro' }, { merge: true });
    const asCustomer = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.apiUrl}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${customer.idToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json());
    const hook = await asCustomer('POST', `/users/${customer.uid}/webhooks`, {
      url: 'http://127.0.0.1:9/erp',
    });
    await asCustomer('PUT', `/users/${customer.uid}/webhooks/${hook.webhook_id}/events`, {
      events: ['device.online'],
    });
    await db.doc(`users/${customer.uid}`).set({ plan: 'free' }, { merge: true });

    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(customer.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(customer.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('nav-integrations').click();
    const held = page.getByTestId('event-webhook-held');
    await held.waitFor({ timeout: 60_000 });
    expect(await held.textContent()).toContain('พักการส่ง');
    expect(await page.getByRole('checkbox', { name: 'device.online' }).isChecked()).toBe(true);
    await screenshot(page, 'integrations-webhook-held');
    expect(errors).toEqual([]);
  });
});
