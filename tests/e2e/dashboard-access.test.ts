import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';

// What each access level sees, in real Chromium under the real firestore.rules: a viewer gets no controls, a
// controller controls but has no settings, the owner has both. Plus the grid's search and filters. The links
// are written directly, as the functions write them, to keep this suite about what each level sees (sharing
// through the API and the settings screen: tests/registry/sharing.test.ts, tests/e2e/device-sharing.test.ts).

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)('dashboard by access level, search and filter (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  const users: Record<'owner' | 'controller' | 'viewer', TestUser> = {} as never;
  const devices = [
    { id: 'ESP32_A00001', type: '4Relay', name: 'ห้องนั่งเล่น', online: true },
    { id: 'ESP32_A00002', type: 'LED', name: 'ไฟห้องครัว', online: false },
    { id: 'ESP32_A00003', type: 'Sensor', name: 'Garden sensor', online: true },
  ] as const;

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    for (const level of ['owner', 'controller', 'viewer'] as const)
      users[level] = await signUp(stack.authHost!);
    useStackEnv(stack);
    const app = initializeApp({ projectId: stack.projectId }, `access-${stack.projectId}`);
    const db = getFirestore(app);
    const now = Timestamp.now();
    for (const [i, device] of devices.entries()) {
      await db.doc(`devices/${device.id}`).set({
        device_id: device.id,
        serial_number: `ESP32${String(i + 1).padStart(8, '0')}A`,
        device_type: device.type,
        firmware_version: '1.0.0',
        status: 'active',
        owner_uid: users.owner.uid,
        created_at: now,
        state: {
          online: device.online,
          last_seen: now,
          outputs: device.type === '4Relay' ? { relay1: true } : {},
          readings: device.type === 'Sensor' ? { temperature: 31.2, humidity: 70, pressure: 1008 } : {},
        },
        desired: { outputs: {} },
      });
      for (const level of ['owner', 'controller', 'viewer'] as const) {
        await db.doc(`user_devices/${users[level].uid}_${device.id}`).set({
          user_id: users[level].uid,
          device_id: device.id,
          device_name: device.name,
          access_level: level,
          added_at: now,
          last_accessed: now,
        });
      }
    }
    await deleteApp(app);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  async function signedIn(user: TestUser, errors: string[]): Promise<Page> {
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    return page;
  }

  const cards = (page: Page) => page.locator('[data-testid^="device-card-"][data-state="live"]');

  it('searches by Thai name and filters by type and online state', async () => {
    const errors: string[] = [];
    const page = await signedIn(users.owner, errors);
    await page.waitForFunction(() => document.querySelectorAll('[data-state="live"]').length === 3);
    await page.getByRole('searchbox', { name: 'ค้นหา' }).fill('ครัว');
    await page.waitForFunction(() => document.querySelectorAll('[data-state="live"]').length === 1);
    expect(await cards(page).first().getAttribute('data-testid')).toBe('device-card-ESP32_A00002');
    await page.getByRole('searchbox', { name: 'ค้นหา' }).fill('');
    await page.getByRole('combobox', { name: 'สถานะ' }).selectOption('online');
    await page.waitForFunction(() => document.querySelectorAll('[data-state="live"]').length === 2);
    await page.getByRole('combobox', { name: 'ประเภท' }).selectOption('Sensor');
    await page.waitForFunction(() => document.querySelectorAll('[data-state="live"]').length === 1);
    expect(await cards(page).first().getAttribute('data-testid')).toBe('device-card-ESP32_A00003');
    await screenshot(page, 'dashboard-filtered');
    expect(errors).toEqual([]);
  });

  it('shows the owner controls and settings, a controller controls only, a viewer neither', async () => {
    const seen: Record<string, { toggles: number; settings: number; viewerNote: number }> = {};
    for (const level of ['owner', 'controller', 'viewer'] as const) {
      const errors: string[] = [];
      const page = await signedIn(users[level], errors);
      await page.getByTestId('device-card-ESP32_A00001').click();
      await page.getByTestId('device-detail').waitFor();
      await page.getByText('ห้องนั่งเล่น').first().waitFor();
      seen[level] = {
        toggles: await page.locator('[data-testid^="output-relay"]').count(),
        settings: await page.getByTestId('settings').count(),
        viewerNote: await page.getByTestId('viewer-note').count(),
      };
      await screenshot(page, `detail-as-${level}`);
      expect(errors).toEqual([]);
    }
    expect(seen).toEqual({
      owner: { toggles: 4, settings: 1, viewerNote: 0 },
      controller: { toggles: 4, settings: 0, viewerNote: 0 },
      viewer: { toggles: 0, settings: 0, viewerNote: 1 },
    });
  });
});
