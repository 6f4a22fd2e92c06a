import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DAY_MS, hourStart } from '@esp32cloud/protocol';
import { seedDevice, seedHistory } from '@esp32cloud/tests/analytics/history-seed';
import { signUp } from '@esp32cloud/tests/harness/auth';
import { startStack, useStackEnv } from '@esp32cloud/tests/harness/stack';
import { buildWebApp, runtimeConfigForStack, startWebServer } from '@esp32cloud/tests/harness/web';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { latencySummary, requireBenchProgram } from '../../scripts/lib/bench-figures.ts';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { DEFAULT_WARM_FUNCTION_WORKERS } from '../../scripts/start/config.ts';

// Figures of issue 13 for the customer's side: history API latency for 30 days hourly (100 sequential calls
// through the Functions emulator), time from pressing "Show history" to a drawn 7-day chart in Chromium, and
// the JavaScript the History view adds (gzip, the chunks fetched on opening it). `npm run bench -- history`.
// The stack runs like `npm start` (its default Functions worker pool).

const API_CALLS = 100;
const OPENS = 10;
const DEVICE = 'ESP32_BENCHH';

requireBenchProgram('chromium', 'the History view in Chromium');
// The device page asks the API for shares, alert rules and a pending transfer alongside the history: with
// `npm start`'s warm worker pool those concurrent calls do not each wait for a new Functions worker.
const stack = await startStack({
  firestore: true,
  firebase: ['auth', 'functions'],
  warmFunctionWorkers: DEFAULT_WARM_FUNCTION_WORKERS,
});
useStackEnv(stack);
const distDir = await buildWebApp();
const web = await startWebServer({
  config: runtimeConfigForStack(stack),
  apiUrl: stack.apiUrl,
  root: distDir,
});
const browser = await launchChromium();
try {
  const db = getFirestore(initializeApp({ projectId: stack.projectId }, `bench-history-${stack.projectId}`));
  const user = await signUp(stack.authHost!);
  const hourNow = hourStart(Date.now());
  await seedDevice(db, DEVICE, { owner: user.uid, online: false });
  await seedHistory(db, DEVICE, hourNow - 31 * DAY_MS, hourNow);

  // 1. API latency, 30 days hourly (720 hour documents read per call).
  const query = `from=${new Date(hourNow - 30 * DAY_MS).toISOString()}&to=${new Date(hourNow).toISOString()}&resolution=hour`;
  const call = async () => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/devices/${DEVICE}/history?${query}`, {
      headers: { authorization: `Bearer ${user.idToken}` },
    });
    const body = (await response.json()) as { points: unknown[] };
    if (response.status !== 200 || body.points.length !== 720)
      throw new Error(`history call: ${response.status}`);
    return performance.now() - started;
  };
  await call(); // the Functions emulator's worker starts on the first call
  const latencies: number[] = [];
  for (let i = 0; i < API_CALLS; i++) latencies.push(await call());
  console.log(
    `history API, 30 days hourly (720 points), ${API_CALLS} sequential calls: ${latencySummary(latencies, { digits: 0 })}`,
  );

  // 2 and 3. Open History → drawn 7-day chart; JS fetched on opening.
  const context = await browser.newContext({
    timezoneId: 'Asia/Bangkok',
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await page.goto(`${web.url}/signin`);
  await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
  await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
  await page.waitForURL(`${web.url}/`);
  const times: number[] = [];
  let addedJs = 0;
  for (let run = 0; run < OPENS; run++) {
    await page.goto(`${web.url}/devices/${DEVICE}`);
    await page.getByTestId('history-open').waitFor();
    const fetched = new Set<string>();
    const onResponse = (response: import('playwright-core').Response) => {
      const { pathname } = new URL(response.url());
      if (pathname.endsWith('.js') && pathname.startsWith('/assets/')) fetched.add(pathname);
    };
    page.on('response', onResponse);
    const elapsed = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const started = performance.now();
          const timer = setTimeout(() => reject(new Error('no chart within 60 s')), 60_000);
          const observer = new MutationObserver(() => {
            const chart = document.querySelector(
              '[data-testid="history"][data-state="drawn"] [data-testid="history-chart"]',
            );
            if (chart?.querySelector('canvas')) {
              observer.disconnect();
              clearTimeout(timer);
              resolve(performance.now() - started);
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true });
          (document.querySelector('[data-testid="history-open"]') as HTMLElement).click();
          // 7 days: the view opens on 24 h; switch as soon as its buttons exist.
          const switcher = new MutationObserver(() => {
            const button = document.querySelector('[data-testid="history-range-7d"]') as HTMLElement | null;
            if (button) {
              switcher.disconnect();
              button.click();
            }
          });
          switcher.observe(document.body, { subtree: true, childList: true });
        }),
    );
    page.off('response', onResponse);
    const points = Number(await page.getByTestId('history-chart').getAttribute('data-points'));
    if (points !== 7 * 24) throw new Error(`7-day chart with ${points} points`);
    times.push(elapsed);
    if (run === 0)
      for (const file of fetched) addedJs += gzipSync(readFileSync(path.join(distDir, file))).length;
  }
  console.log(
    `press "Show history" → drawn 7-day chart (168 points) in Chromium, ${OPENS} runs: ${latencySummary(times, { digits: 0 })} (first run loads the chunk)`,
  );
  console.log(
    `JavaScript added by the History view (chunks fetched on opening it, gzip): ${(addedJs / 1024).toFixed(1)} KB`,
  );
} finally {
  await browser.close();
  await web.stop();
  await stack.stop();
}
process.exit(0);
