import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDeviceStack } from '@esp32cloud/tests/e2e/device-stack';
import { signUp, uniqueEmail } from '@esp32cloud/tests/harness/auth';
import { benchBrokerKind } from '@esp32cloud/tests/harness/broker-kind';
import { startStack } from '@esp32cloud/tests/harness/stack';
import { buildWebApp, runtimeConfigForStack, startWebServer } from '@esp32cloud/tests/harness/web';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { latencySummary, requireBenchProgram } from '../../scripts/lib/bench-figures.ts';
import { launchChromium } from '../../scripts/lib/chromium.ts';

// Figures of the customer web app (issue 7):
//  1. JavaScript shipped for the first page, KB gzip (from the build, and as loaded by Chromium);
//  2. navigation → live dashboard with 50 devices (every card drawn from its live document), median of runs;
//  3. toggle click → acknowledged state on screen, median of 50: API → broker → simulated device → ack →
//     bridge → Firestore → listener → screen.

const DASHBOARD_DEVICES = 50;
const DASHBOARD_RUNS = 15;
/** The "smooth with 200 devices": the same figure for a big account. */
const BIG_ACCOUNT_DEVICES = 200;
const BIG_ACCOUNT_RUNS = 7;
const TOGGLES = 50;

// Runs in the page (a string, so the bundler's helpers never leak into it): clicks relay 1 and resolves with
// the milliseconds until the button shows the new state with no pending mark, i.e. acknowledged and reported.
const TOGGLE_AND_WAIT_FOR_ACK = `new Promise((resolve, reject) => {
  const selector = '[data-testid="output-relay1"]';
  const button = document.querySelector(selector);
  const target = button.getAttribute('aria-pressed') === 'true' ? 'false' : 'true';
  const started = performance.now();
  const timeout = setTimeout(() => reject(new Error('no acknowledgement within 20 s')), 20000);
  const observer = new MutationObserver(() => {
    const now = document.querySelector(selector);
    if (now && now.getAttribute('aria-pressed') === target && now.getAttribute('data-pending') === 'false') {
      observer.disconnect();
      clearTimeout(timeout);
      resolve(performance.now() - started);
    }
  });
  observer.observe(document.body, { subtree: true, attributes: true, childList: true });
  button.click();
})`;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The entry script and the chunks index.html preloads: what any first page downloads before it runs. */
function firstPageFromBuild(distDir: string): { files: string[]; gzip: number } {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]!);
  const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(distDir, file))).length, 0);
  return { files, gzip };
}

/** JS the browser actually fetched for a page (every .js response, sized from the build, gzipped). */
async function jsLoadedBy(
  distDir: string,
  page: Page,
  url: string,
  ready: () => Promise<unknown>,
): Promise<number> {
  const paths = new Set<string>();
  const onResponse = (response: import('playwright-core').Response) => {
    const { pathname } = new URL(response.url());
    if (pathname.endsWith('.js') && pathname.startsWith('/assets/')) paths.add(pathname);
  };
  page.on('response', onResponse);
  await page.goto(url);
  await ready();
  page.off('response', onResponse);
  let total = 0;
  for (const pathname of paths) total += gzipSync(readFileSync(path.join(distDir, pathname))).length;
  return total;
}

async function seedDevices(
  idBase: number,
  projectId: string,
  firestoreHost: string,
  uid: string,
  count: number,
): Promise<void> {
  process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
  const app = initializeApp({ projectId }, `bench-${Date.now()}`);
  const db = getFirestore(app);
  const batch = db.batch();
  const now = Timestamp.now();
  for (let i = 0; i < count; i += 1) {
    const deviceId = `ESP32_${(idBase + i).toString(16).toUpperCase()}`;
    const type = i % 3 === 0 ? 'Sensor' : i % 3 === 1 ? '4Relay' : 'LED';
    batch.set(db.doc(`devices/${deviceId}`), {
      device_id: deviceId,
      serial_number: `ESP32${String(i).padStart(8, '0')}A`,
      device_type: type,
      firmware_version: '1.0.0',
      status: 'active',
      owner_uid: uid,
      created_at: now,
      state: {
        online: i % 4 !== 0,
        last_seen: now,
        outputs: type === '4Relay' ? { relay1: true, relay2: false, relay3: false, relay4: true } : {},
        readings: type === 'Sensor' ? { temperature: 27.5, humidity: 60, pressure: 1009 } : {},
      },
      desired: { outputs: {} },
    });
    batch.set(db.doc(`user_devices/${uid}_${deviceId}`), {
      user_id: uid,
      device_id: deviceId,
      device_name: `ห้อง ${i + 1}`,
      access_level: 'owner',
      added_at: now,
      last_accessed: now,
    });
  }
  await batch.commit();
  await deleteApp(app);
}

function liveCards(page: Page, count: number): Promise<unknown> {
  return page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid^="device-card-"][data-state="live"]').length === n,
    count,
    { polling: 'raf', timeout: 60_000 },
  );
}

/** Page navigation start → every card drawn from its live document, measured on the page's own clock. */
async function timeDashboard(page: Page, baseUrl: string, count: number, runs: number): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    await page.goto(`${baseUrl}/`);
    await liveCards(page, count);
    times.push(await page.evaluate(() => performance.now()));
  }
  console.log(
    `navigation → live dashboard, ${count} devices (session restored from IndexedDB each run): ` +
      latencySummary(times, { digits: 0 }),
  );
}

async function dashboardFigures(browser: Browser, distDir: string): Promise<void> {
  const stack = await startStack({ firestore: true, firebase: ['auth'] });
  const web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
  try {
    const user = await signUp(stack.authHost!, uniqueEmail('bench'));
    await seedDevices(0xb00000, stack.projectId, stack.firestoreHost!, user.uid, DASHBOARD_DEVICES);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);

    const signinJs = await jsLoadedBy(distDir, page, `${web.url}/signin`, () =>
      page.getByRole('heading', { name: 'เข้าสู่ระบบ' }).waitFor(),
    );
    console.log(`first page JS as loaded by Chromium (/signin, signed out): ${kb(signinJs)} gzip`);

    await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);

    const dashboardJs = await jsLoadedBy(distDir, page, `${web.url}/`, () =>
      liveCards(page, DASHBOARD_DEVICES),
    );
    console.log(`JS for the signed-in dashboard (all chunks): ${kb(dashboardJs)} gzip`);
    await timeDashboard(page, web.url, DASHBOARD_DEVICES, DASHBOARD_RUNS);

    // A big account: sign in as another user who has 200 devices.
    const big = await signUp(stack.authHost!, uniqueEmail('bench-big'));
    await seedDevices(0xc00000, stack.projectId, stack.firestoreHost!, big.uid, BIG_ACCOUNT_DEVICES);
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(big.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(big.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await timeDashboard(page, web.url, BIG_ACCOUNT_DEVICES, BIG_ACCOUNT_RUNS);
    await context.close();
  } finally {
    await web.stop();
    await stack.stop();
  }
}

async function toggleFigures(browser: Browser): Promise<void> {
  const world = await startDeviceStack(benchBrokerKind());
  try {
    const provisioned = await world.provision('4Relay');
    const owner = await signUp(world.stack.authHost!, uniqueEmail('bench-toggle'));
    const register = await fetch(`${world.stack.apiUrl}/api/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.idToken}` },
      body: JSON.stringify({
        serial_number: provisioned.serial_number,
        claim_code: provisioned.claim_code,
        device_name: 'bench',
      }),
    });
    if (register.status !== 201)
      throw new Error(`register failed: ${register.status} ${await register.text()}`);
    await world.plugIn(provisioned);

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${world.web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${world.web.url}/`);
    await page.goto(`${world.web.url}/devices/${provisioned.device_id}`);
    await page.locator('[data-testid="device-online"]').getByText('ออนไลน์').waitFor();

    const times: number[] = [];
    for (let i = 0; i < TOGGLES; i += 1) {
      // Measured in the page: from the click to the button showing the new, acknowledged state.
      const ms = await page.evaluate<number>(TOGGLE_AND_WAIT_FOR_ACK).catch(async (error) => {
        const alert = await page.getByRole('alert').allTextContents();
        throw new Error(
          `toggle ${i + 1}: ${(error as Error).message}; on screen: ${alert.join(' | ') || 'no error'}`,
        );
      });
      times.push(ms);
    }
    console.log(
      `toggle click → acknowledged on screen (${world.broker.kind} broker): ${latencySummary(times, { digits: 0 })}`,
    );
    await page.close();
  } finally {
    await world.stop();
  }
}

async function main(): Promise<void> {
  // A private build (not hosting/dist), so a concurrent build elsewhere cannot disturb the figures.
  const distDir = await buildWebApp();
  const first = firstPageFromBuild(distDir);
  console.log(
    `first page JS from the build (entry + preloads, ${first.files.length} files): ${kb(first.gzip)} gzip`,
  );
  requireBenchProgram('chromium', 'the browser figures');
  const browser = await launchChromium();
  try {
    await dashboardFigures(browser, distDir);
    await toggleFigures(browser);
  } finally {
    await browser.close();
  }
}

await main();
