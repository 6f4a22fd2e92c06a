import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser, uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { artifactsDir, newPhonePage } from './browser.ts';
import { fleetDeviceId, liveDashboard, ROOMS, renameFleetDevice, seedFleet } from './fleet.ts';

// Issue 19's big fleet in real Chromium: 1,000 devices of one owner render (windowed: only the cards near the
// viewport exist), are searched, filtered by room and sorted, and the last device is reachable by scrolling.

const hasChromium = requireProgram('chromium');
const COUNT = 1000;
const ID_BASE = 0xf10000;

describe.skipIf(!hasChromium)('a dashboard of 1,000 devices (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let owner: TestUser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    owner = await signUp(stack.authHost!, uniqueEmail('fleet'));
    await seedFleet({
      projectId: stack.projectId,
      firestoreHost: stack.firestoreHost!,
      uid: owner.uid,
      count: COUNT,
      idBase: ID_BASE,
    });
    page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  const shownCount = async () => (await page.getByTestId('device-count').textContent()) ?? '';
  const drawnCards = () => page.locator('[data-testid^="device-card-"]').count();

  it('renders all 1,000, drawing only the cards near the viewport', async () => {
    await liveDashboard(page, COUNT);
    expect(await shownCount()).toContain('1000');
    const drawn = await drawnCards();
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(60);
    // The viewport only: a full-page shot of 1,000 rows would take longer than the test.
    await page.screenshot({ path: path.join(artifactsDir, 'fleet-1-dashboard.png') });
  });

  it('reopened, turns the first screen live before the rest of the fleet has arrived', async () => {
    // The first live answer is saved when the page is next idle.
    await page.waitForFunction(
      (key) => localStorage.getItem(key) !== null,
      `esp32cloud.snapshot.${owner.uid}`,
    );
    await page.reload();
    // A frame where every drawn card shows its live document while the list as a whole still comes from the
    // saved snapshot: the first screen's own query answered before the fleet's listener was even opened.
    await page.waitForFunction(
      (n) => {
        const cards = [...document.querySelectorAll('[data-testid^="device-card-"]')];
        const first = document.querySelector('[data-testid="device-grid"] > li');
        return (
          cards.length > 0 &&
          first?.getAttribute('aria-setsize') === String(n) &&
          cards.every((card) => card.getAttribute('data-state') === 'live') &&
          document.querySelector('[data-testid="dashboard"]')?.getAttribute('data-source') === 'saved'
        );
      },
      COUNT,
      { polling: 'raf', timeout: 60_000 },
    );
    await liveDashboard(page, COUNT);
    expect(await shownCount()).toContain('1000');
  });

  it('finds one device by name and by serial', async () => {
    const search = page.getByRole('searchbox');
    await search.fill('ห้อง 778');
    await page.getByTestId(`device-card-${fleetDeviceId(ID_BASE, 777)}`).waitFor();
    expect(await drawnCards()).toBe(1);
    await search.fill('ESP3200000042A');
    await page.getByTestId(`device-card-${fleetDeviceId(ID_BASE, 42)}`).waitFor();
    expect(await drawnCards()).toBe(1);
    await search.fill('');
  });

  it('filters by room (any Unicode) and by status, and sorts by last seen', async () => {
    const room = ROOMS[3]!;
    await page.getByTestId('room-filter').selectOption(room);
    // As seeded (fleet.ts): rooms rotate, every tenth device is in none.
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter(
      (i) => i % 10 !== 0 && ROOMS[i % ROOMS.length] === room,
    ).length;
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="device-count"]')?.textContent?.includes(`${n} `),
      expected,
    );
    const rooms = await page.locator('[data-testid^="device-room-"]').allTextContents();
    expect(rooms.length).toBeGreaterThan(0);
    expect(new Set(rooms)).toEqual(new Set([room]));

    await page.getByTestId('room-filter').selectOption('all');
    await page.getByTestId('status-filter').selectOption('offline');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="device-count"]')?.textContent?.includes(`${n} `),
      COUNT / 4,
    );
    const offline = await page
      .locator('[data-testid^="device-card-"]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-online')));
    expect(offline.length).toBeGreaterThan(0);
    expect(new Set(offline)).toEqual(new Set(['false']));
    await page.getByTestId('status-filter').selectOption('all');

    // Seeded last_seen falls by a minute per index: most recent first means device 0 leads.
    await page.getByTestId('sort').selectOption('lastSeen');
    await expect
      .poll(() => page.locator('[data-testid^="device-card-"]').first().getAttribute('data-testid'))
      .toBe(`device-card-${fleetDeviceId(ID_BASE, 0)}`);
    await page.getByTestId('sort').selectOption('name');
  });

  it("names each card from its device's copy of the owner's name, live; a device without one from its link", async () => {
    const firstCard = () => page.locator('[data-testid^="device-card-"]').first().getAttribute('data-testid');
    const rename = (i: number, name: string, legacy = false) =>
      renameFleetDevice({
        projectId: stack.projectId,
        firestoreHost: stack.firestoreHost!,
        uid: owner.uid,
        deviceId: fleetDeviceId(ID_BASE, i),
        name,
        legacy,
      });
    // ก sorts before every ห้อง…: the renamed device moves to the top of the name order.
    await rename(500, 'ก โคมไฟ');
    await expect.poll(firstCard).toBe(`device-card-${fleetDeviceId(ID_BASE, 500)}`);
    await page.getByRole('heading', { name: 'ก โคมไฟ', exact: true }).waitFor();
    // Claimed before the copy existed: the dashboard reads the owner's links for that name.
    await rename(600, 'ก กาน้ำ', true);
    await expect.poll(firstCard).toBe(`device-card-${fleetDeviceId(ID_BASE, 600)}`);
    await page.getByRole('heading', { name: 'ก กาน้ำ', exact: true }).waitFor();
    expect(await shownCount()).toContain('1000');
    await page.reload();
    await liveDashboard(page, COUNT);
    expect(await firstCard()).toBe(`device-card-${fleetDeviceId(ID_BASE, 600)}`);
  });

  it('reaches the last device by scrolling (the window follows)', async () => {
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const lastName = 'ห้อง 999';
    await page.getByRole('heading', { name: lastName, exact: true }).waitFor();
    expect(await drawnCards()).toBeLessThan(60);
    expect(errors).toEqual([]);
  });
});
