import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDeviceStack } from '@esp32cloud/tests/e2e/device-stack';
import { fleetDeviceId, liveDashboard, seedFleet } from '@esp32cloud/tests/e2e/fleet';
import { signUp, uniqueEmail } from '@esp32cloud/tests/harness/auth';
import { benchBrokerKind } from '@esp32cloud/tests/harness/broker-kind';
import { startStack } from '@esp32cloud/tests/harness/stack';
import { buildWebApp, runtimeConfigForStack, startWebServer } from '@esp32cloud/tests/harness/web';
import type { Browser, Page } from 'playwright-core';
import { latencySummary, requireBenchProgram } from '../../scripts/lib/bench-figures.ts';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { DEFAULT_WARM_FUNCTION_WORKERS } from '../../scripts/start/config.ts';

// Figures of the customer web app (issues 7 and 19):
//  1. JavaScript shipped for the first page, KB gzip (from the build, and as loaded by Chromium);
//  2. navigation → live dashboard with 50, 200 and 1,000 devices (the count shown and every card drawn from its
//     live document; the grid is windowed), median and tail of runs; a search over 1,000 devices;
//  3. toggle click → acknowledged state on screen, 50 clicks each on the device page and on a dashboard card,
//     the two pages taking turns in blocks of 10 after 60 warm-up clicks on the fresh stack:
//     API → broker → simulated device → ack → bridge → Firestore → listener → screen.

const DASHBOARD_DEVICES = 50;
const DASHBOARD_RUNS = 15;
/** The "smooth with 200 devices": the same figure for a big account. */
const BIG_ACCOUNT_DEVICES = 200;
const BIG_ACCOUNT_RUNS = 7;
/** The issue 19 fleet: 1,000 devices (aim: live within 800 ms on this machine). */
const FLEET_DEVICES = 1000;
const FLEET_RUNS = 7;
const SEARCHES = 20;
const TOGGLES = 50;
/** Clicks on one page before the bench switches to the other. */
const TOGGLE_BLOCK = 10;
const TOGGLE_WARMUP = 60;
/** How long a page must have had no request in flight before its block of clicks starts. */
const PAGE_QUIET_MS = 250;

// Runs in the page (a string, so the bundler's helpers never leak into it): clicks relay 1 and resolves with
// the milliseconds until the button shows the new state with no pending mark, i.e. acknowledged and reported.
const toggleAndWaitForAck = (testId: string) => `new Promise((resolve, reject) => {
  const selector = '[data-testid="${testId}"]';
  const button = document.querySelector(selector);
  const target = button.getAttribute('aria-pressed') === 'true' ? 'false' : 'true';
  const started = performance.now();
  const timeout = setTimeout(() => reject(new Error('no acknowledgement within 20 s')), 20000);
  const observer = new MutationObserver(() => {
    const now = document.querySelector(selector);
    if (now && now.getAttribute('aria-pressed') === target && now.getAttribute('data-pending') === 'false') {
      observer.disconnect();
      clearTimeout(timeout);
      const total = performance.now() - started;
      const post = performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/control') && e.startTime >= started - 1).at(-1);
      performance.clearResourceTimings();
      resolve({ total, answered: post ? post.responseEnd - started : NaN });
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

/**
 * Page navigation start → every card drawn from its live document (the first screen; reopened, the dashboard
 * starts from its saved snapshot), and → the whole list live, measured on the page's own clock.
 */
async function timeDashboard(page: Page, baseUrl: string, count: number, runs: number): Promise<void> {
  const firstScreen: number[] = [];
  const wholeList: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    await page.goto(`${baseUrl}/`);
    firstScreen.push(await liveDashboard(page, count, { firstScreen: true }));
    wholeList.push(await liveDashboard(page, count));
  }
  console.log(
    `navigation → live dashboard, ${count} devices (session restored from IndexedDB each run): ` +
      latencySummary(firstScreen, { digits: 0 }),
  );
  console.log(`  → every one of the ${count} devices live: ${latencySummary(wholeList, { digits: 0 })}`);
}

/** Typing a search over 1,000 devices → the one match drawn, on the page's clock (a frame is 16.7 ms). */
async function timeSearch(page: Page, lastId: string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < SEARCHES; i += 1) {
    // A string, so the bundler's helpers never leak into the page (as toggleAndWaitForAck).
    const ms = await page.evaluate<number>(`new Promise((resolve) => {
      const input = document.querySelector('input[type="search"]');
      const started = performance.now();
      input.value = 'ห้อง 1000';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const check = () => {
        const cards = document.querySelectorAll('[data-testid^="device-card-"]');
        if (cards.length === 1 && cards[0].getAttribute('data-testid') === 'device-card-${lastId}') {
          resolve(performance.now() - started);
        } else requestAnimationFrame(check);
      };
      check();
    })`);
    times.push(ms);
    await page.evaluate(`(() => {
      const input = document.querySelector('input[type="search"]');
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    })()`);
  }
  console.log(
    `search over ${FLEET_DEVICES} devices → the match drawn: ${latencySummary(times, { digits: 1 })}`,
  );
}

async function dashboardFigures(browser: Browser, distDir: string): Promise<void> {
  const stack = await startStack({ firestore: true, firebase: ['auth'] });
  const web = await startWebServer({
    config: runtimeConfigForStack(stack),
    apiUrl: stack.apiUrl,
    root: distDir,
  });
  try {
    const user = await signUp(stack.authHost!, uniqueEmail('bench'));
    const seed = (uid: string, count: number, idBase: number) =>
      seedFleet({ projectId: stack.projectId, firestoreHost: stack.firestoreHost!, uid, count, idBase });
    await seed(user.uid, DASHBOARD_DEVICES, 0xb00000);
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
      liveDashboard(page, DASHBOARD_DEVICES),
    );
    console.log(`JS for the signed-in dashboard (all chunks): ${kb(dashboardJs)} gzip`);
    await timeDashboard(page, web.url, DASHBOARD_DEVICES, DASHBOARD_RUNS);

    // Big accounts: sign in as other users who have 200 and 1,000 devices.
    for (const [count, runs, idBase] of [
      [BIG_ACCOUNT_DEVICES, BIG_ACCOUNT_RUNS, 0xc00000],
      [FLEET_DEVICES, FLEET_RUNS, 0xd00000],
    ] as const) {
      const big = await signUp(stack.authHost!, uniqueEmail('bench-big'));
      await seed(big.uid, count, idBase);
      await page.getByTestId('sign-out').click();
      await page.waitForURL(/\/signin$/);
      await page.getByRole('textbox', { name: 'อีเมล' }).fill(big.email);
      await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(big.password);
      await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
      await page.waitForURL(`${web.url}/`);
      await timeDashboard(page, web.url, count, runs);
      if (count === FLEET_DEVICES) await timeSearch(page, fleetDeviceId(idBase, count - 1));
    }
    await context.close();
  } finally {
    await web.stop();
    await stack.stop();
  }
}

async function toggleFigures(browser: Browser): Promise<void> {
  // As `npm start` runs it: a warm pool of Functions workers, so a request made while another is in flight
  // (the device page loads its history and alerts beside a command) does not start a cold worker.
  const world = await startDeviceStack(benchBrokerKind(), {
    warmFunctionWorkers: DEFAULT_WARM_FUNCTION_WORKERS,
  });
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
    // A page's own loading (the device page asks for its shares, transfer and alert rules, and loads chunks):
    // requests to the app's server still in flight. The Firestore channel is long-lived and not counted.
    let inFlight = 0;
    let lastSettled = Date.now();
    const counted = (request: import('playwright-core').Request) => request.url().startsWith(world.web.url);
    page.on('request', (request) => {
      if (counted(request)) inFlight += 1;
    });
    const finished = (request: import('playwright-core').Request) => {
      if (!counted(request)) return;
      inFlight -= 1;
      if (inFlight === 0) lastSettled = Date.now();
    };
    page.on('requestfinished', finished);
    page.on('requestfailed', finished);
    /** Resolves once nothing the page asked of the server has been in flight for PAGE_QUIET_MS. */
    const pageLoaded = async () => {
      for (let waited = 0; waited < 10_000; waited += 25) {
        if (inFlight === 0 && Date.now() - lastSettled >= PAGE_QUIET_MS) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`the page still had ${inFlight} requests in flight after 10 s`);
    };
    await page.goto(`${world.web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${world.web.url}/`);
    await page.goto(`${world.web.url}/devices/${provisioned.device_id}`);
    await page.locator('[data-testid="device-online"]').getByText('ออนไลน์').waitFor();

    // Between blocks the page moves as a user does, through the app's own links (no reload), and the clicks
    // start once the page has finished loading: a person does not reach a control within its first moments.
    const openDevicePage = async () => {
      if (new URL(page.url()).pathname === '/') {
        await page.getByTestId(`device-card-${provisioned.device_id}`).click();
        await page.locator('[data-testid="device-online"]').getByText('ออนไลน์').waitFor();
      }
      await pageLoaded();
    };
    const openDashboard = async () => {
      await page.locator('[data-testid="device-detail"] a[href="/"]').click();
      await page
        .locator(`[data-testid="device-card-${provisioned.device_id}"][data-online="true"]`)
        .waitFor();
      await pageLoaded();
    };
    const pages = [
      { where: 'device page', testId: 'output-relay1', open: openDevicePage },
      { where: 'dashboard card', testId: `quick-${provisioned.device_id}-relay1`, open: openDashboard },
    ].map((p) => ({ ...p, times: [] as number[], answers: [] as number[], afterAnswer: [] as number[] }));

    // The installable app's worker downloads the whole shell once per version, right after the first page
    // (pwa/register.ts): the clicks wait until it is active, so no page shares the machine with that download.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    // Untimed first clicks: a fresh local stack's processes (the Functions worker, the emulators, the bridge)
    // are still compiling their hot paths over the first tens of commands; whichever page was measured first
    // came out 20-40 % slower, in either order. A user's clicks reach long-running, warm servers.
    const warmup: number[] = [];
    for (let i = 0; i < TOGGLE_WARMUP; i += 1) {
      warmup.push((await page.evaluate<{ total: number }>(toggleAndWaitForAck(pages[0]!.testId))).total);
    }
    console.log(
      `toggle warm-up on a fresh stack (untimed in the figures): ${latencySummary(warmup, { digits: 0 })}`,
    );
    // The two pages take turns in blocks, so both are measured under the same conditions.
    for (let block = 0; block < TOGGLES / TOGGLE_BLOCK; block += 1) {
      for (const measured of pages) {
        await measured.open();
        for (let i = 0; i < TOGGLE_BLOCK; i += 1) {
          // Measured in the page: from the click to the button showing the new, acknowledged state, and when
          // the API's answer to the POST arrived (resource timing).
          const ms = await page
            .evaluate<{ total: number; answered: number }>(toggleAndWaitForAck(measured.testId))
            .catch(async (error) => {
              const alert = await page.getByRole('alert').allTextContents();
              throw new Error(
                `toggle on the ${measured.where}: ${(error as Error).message}; on screen: ${alert.join(' | ') || 'no error'}`,
              );
            });
          measured.times.push(ms.total);
          if (Number.isFinite(ms.answered)) {
            measured.answers.push(ms.answered);
            measured.afterAnswer.push(ms.total - ms.answered);
          }
        }
      }
    }
    for (const { where, times, answers, afterAnswer } of pages) {
      console.log(
        `toggle click → acknowledged on screen, ${where} (${world.broker.kind} broker): ${latencySummary(times, { digits: 0 })}`,
      );
      // Where the time goes: the API's answer (the Functions emulator, the command's Firestore round trips and
      // the publish), and the device's report reaching the page through the bridge and the device's listener,
      // which settles the control as soon as it shows the value asked for, often before the API has answered.
      console.log(
        `  settled before the API's answer arrived: ${times.length - answers.length} of ${times.length}; where the answer came first:`,
      );
      console.log(`    click → the API's answer to POST /control: ${latencySummary(answers, { digits: 0 })}`);
      console.log(
        `    the answer → settled on screen (the report through the listener): ${latencySummary(afterAnswer, { digits: 0 })}`,
      );
    }
    await page.close();
  } finally {
    await world.stop();
  }
}

/** `npx tsx hosting/bench/web.ts [dashboard|toggle]` runs one part (both by default). */
const only = process.argv[2];

async function main(): Promise<void> {
  if (only === 'toggle') {
    requireBenchProgram('chromium', 'the browser figures');
    const browser = await launchChromium();
    try {
      await toggleFigures(browser);
    } finally {
      await browser.close();
    }
    return;
  }
  // A private build (not hosting/dist), so a concurrent build elsewhere cannot disturb the figures. WEB_BENCH_DIST
  // names a build made beforehand instead (e.g. another commit's, for paired before/after runs).
  const distDir = process.env.WEB_BENCH_DIST || (await buildWebApp());
  const first = firstPageFromBuild(distDir);
  console.log(
    `first page JS from the build (entry + preloads, ${first.files.length} files): ${kb(first.gzip)} gzip`,
  );
  requireBenchProgram('chromium', 'the browser figures');
  const browser = await launchChromium();
  try {
    await dashboardFigures(browser, distDir);
    if (only !== 'dashboard') await toggleFigures(browser);
  } finally {
    await browser.close();
  }
}

await main();
