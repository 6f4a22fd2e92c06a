import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { th } from '@esp32cloud/hosting/i18n/th';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser, uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { buildWebApp, runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { screenshot } from './browser.ts';
import { fleetDeviceId, liveDashboard, seedFleet } from './fleet.ts';

// Issue 19's installable app in real Chromium: the manifests and icons are valid, the service worker controls
// the page, an offline reload shows the shell with the last known states marked stale, signing out removes the
// saved dashboard, and a new deployment (a changed sw.js) is offered as an update.

const hasChromium = requireProgram('chromium');
const ID_BASE = 0xa11000;

/** Width and height from a PNG's IHDR. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe.skipIf(!hasChromium)('installable app (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let root: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let owner: TestUser;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth'] });
    // A copy of the build of our own, so the update test can change its sw.js as a new deployment would.
    root = mkdtempSync(path.join(os.tmpdir(), 'e2e-pwa-'));
    cpSync(await buildWebApp(), root, { recursive: true });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl, root });
    browser = await launchChromium();
    owner = await signUp(stack.authHost!, uniqueEmail('pwa'));
    await seedFleet({
      projectId: stack.projectId,
      firestoreHost: stack.firestoreHost!,
      uid: owner.uid,
      count: 3,
      idBase: ID_BASE,
    });
    context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => errors.push(error.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('links a valid manifest per language, with PNG icons of the stated sizes', async () => {
    await page.goto(`${web.url}/signin`);
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.th.webmanifest');
    for (const [lang, name] of [
      ['th', 'อุปกรณ์ของฉัน'],
      ['en', 'My devices'],
    ] as const) {
      const response = await page.request.get(`${web.url}/manifest.${lang}.webmanifest`);
      expect(response.headers()['content-type']).toContain('application/manifest+json');
      const manifest = await response.json();
      expect(manifest.lang).toBe(lang);
      expect(manifest.name).toContain(name);
      expect(manifest).toMatchObject({ start_url: '/', scope: '/', display: 'standalone', id: '/' });
      const purposes = new Set<string>();
      for (const icon of manifest.icons as Array<{ src: string; sizes: string; purpose: string }>) {
        const image = await page.request.get(`${web.url}${icon.src}`);
        expect(image.headers()['content-type']).toBe('image/png');
        const [w, h] = pngSize(await image.body());
        expect(`${w}x${h}`).toBe(icon.sizes);
        purposes.add(icon.purpose);
      }
      expect([...purposes].sort()).toEqual(['any', 'maskable']);
    }
    // The manifest link follows the language switch.
    await page.getByTestId('lang-switch').click();
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.en.webmanifest');
    await page.getByTestId('lang-switch').click();
  });

  it('is controlled by its service worker, which caches only the public shell', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${web.url}/sw.js`);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const key of await caches.keys()) {
        for (const request of await (await caches.open(key)).keys()) urls.push(`${key} ${request.url}`);
      }
      return urls;
    });
    expect(cached.length).toBeGreaterThan(5);
    for (const entry of cached) {
      const [cache, url] = entry.split(' ');
      expect(cache).toMatch(/^esp32cloud-shell-/);
      expect(url!.startsWith(`${web.url}/`)).toBe(true);
      expect(new URL(url!).pathname).not.toMatch(/^\/(api|__)(\/|$)/);
    }
  });

  it("answers Firebase Auth's persistence messages at once, so saving the session never waits for it", async () => {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // As Auth's IndexedDB persistence sends them (a reply port; ack, then done with the handlers' results).
    const replies = await page.evaluate<unknown[]>(`Promise.all(['ping', 'keyChanged'].map((eventType) =>
      new Promise((resolve) => {
        const channel = new MessageChannel();
        const got = [];
        channel.port1.onmessage = (event) => {
          got.push(event.data);
          if (event.data.status === 'done') resolve(got);
        };
        navigator.serviceWorker.controller.postMessage(
          { eventType, eventId: 'e-' + eventType, data: { key: 'firebase:authUser:x' } },
          [channel.port2],
        );
      })))`);
    expect(replies).toEqual(
      ['ping', 'keyChanged'].map((eventType) => [
        { status: 'ack', eventId: `e-${eventType}`, eventType },
        { status: 'done', eventId: `e-${eventType}`, eventType, response: [] },
      ]),
    );
  });

  it('reloads offline with the shell, the offline banner and the last known states marked stale', async () => {
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await liveDashboard(page, 3);
    // Leaving the page writes the account's snapshot (pagehide); the reload offline reads it back.
    await context.setOffline(true);
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await page.getByTestId('offline-banner').waitFor();
    for (let i = 0; i < 3; i++) {
      const card = page.locator('li', { has: page.getByTestId(`device-card-${fleetDeviceId(ID_BASE, i)}`) });
      await card.waitFor();
      expect(await card.getAttribute('data-stale')).toBe('true');
    }
    expect(await page.getByText(th['device.stale']).count()).toBeGreaterThan(0);
    await screenshot(page, 'pwa-offline-stale');
    await context.setOffline(false);
    await page.reload();
    await liveDashboard(page, 3);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
  });

  it("sign-out removes the account's saved dashboard; offline afterwards shows none of it", async () => {
    const saved = () =>
      page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('esp32cloud.snapshot.')));
    const signedInHint = () => page.evaluate(() => localStorage.getItem('esp32cloud.signed-in'));
    // With a saved session, opening the dashboard asks for its chunk while Auth is still restoring the session
    // (its accounts:lookup not yet answered), not after.
    const order: string[] = [];
    const onRequest = (request: import('playwright-core').Request) => {
      if (/\/assets\/Dashboard-[^/]+\.js$/.test(new URL(request.url()).pathname))
        order.push('dashboard chunk');
    };
    const onResponse = (response: import('playwright-core').Response) => {
      if (response.url().includes('accounts:lookup') && response.request().method() === 'POST')
        order.push('session restored');
    };
    page.on('request', onRequest);
    page.on('response', onResponse);
    await page.reload();
    await liveDashboard(page, 3);
    page.off('request', onRequest);
    page.off('response', onResponse);
    expect(order[0]).toBe('dashboard chunk');
    expect(order).toContain('session restored');
    expect(await signedInHint()).toBe('1');
    expect(await saved()).toEqual([`esp32cloud.snapshot.${owner.uid}`]);
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);
    expect(await saved()).toEqual([]);
    expect(await signedInHint()).toBeNull();
    await context.setOffline(true);
    await page.goto(`${web.url}/`);
    await page.getByRole('heading', { name: th['auth.signIn.title'] }).waitFor();
    expect(await page.getByText('ห้อง 1').count()).toBe(0);
    await context.setOffline(false);
  });

  it('offers a new deployment as an update and switches to it on request', async () => {
    await page.goto(`${web.url}/signin`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    appendFileSync(path.join(root, 'sw.js'), '\n// a new deployment\n');
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    const prompt = page.getByTestId('update-prompt');
    await prompt.waitFor();
    await prompt.getByRole('button', { name: th['pwa.reload'] }).click();
    await page.waitForEvent('load');
    await prompt.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${web.url}/sw.js`);
    expect(errors).toEqual([]);
  });
});
