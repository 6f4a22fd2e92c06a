import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../tests/e2e/browser.ts';
import { signUp, uniqueEmail } from '../../tests/harness/auth.ts';
import { whichProgram } from '../../tests/harness/programs.ts';
import { startStack } from '../../tests/harness/stack.ts';
import { distDir, runtimeConfigForStack, startWebServer } from '../../tests/harness/web.ts';

// Figures of the customer web app (issue 7):
//  1. JavaScript shipped for the first page, KB gzip (from the build, and as loaded by Chromium);
//  2. navigation → live dashboard with 50 devices (every card drawn from its live document), median of runs;
//  3. toggle click → acknowledged state on screen, median of 50 (needs the MQTT path: control route, broker,
//     bridge, simulator — printed as missing until they exist).

const DASHBOARD_DEVICES = 50;
const DASHBOARD_RUNS = 15;
const hostingDir = path.resolve(import.meta.dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function build(): void {
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], {
    cwd: hostingDir,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('vite build failed');
}

/** The entry script and the chunks index.html preloads: what any first page downloads before it runs. */
function firstPageFromBuild(): { files: string[]; gzip: number } {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]!);
  const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(distDir, file))).length, 0);
  return { files, gzip };
}

/** JS the browser actually fetched for a page, gzip-sized. */
async function jsLoadedBy(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const bodies: Promise<Buffer>[] = [];
  const onResponse = (response: import('playwright-core').Response) => {
    if (response.url().endsWith('.js') && !response.url().includes('/__/')) bodies.push(response.body());
  };
  page.on('response', onResponse);
  await page.goto(url);
  await ready();
  page.off('response', onResponse);
  const all = await Promise.all(bodies);
  return all.reduce((sum, body) => sum + gzipSync(body).length, 0);
}

async function seedDevices(
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
    const deviceId = `ESP32_${(0xb00000 + i).toString(16).toUpperCase()}`;
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

async function dashboardFigures(browser: Browser): Promise<void> {
  const stack = await startStack({ firestore: true, firebase: ['auth'] });
  const web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
  try {
    const user = await signUp(stack.authHost!, uniqueEmail('bench'));
    await seedDevices(stack.projectId, stack.firestoreHost!, user.uid, DASHBOARD_DEVICES);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);

    const signinJs = await jsLoadedBy(page, `${web.url}/signin`, () =>
      page.getByRole('heading', { name: 'เข้าสู่ระบบ' }).waitFor(),
    );
    console.log(`first page JS as loaded by Chromium (/signin, signed out): ${kb(signinJs)} gzip`);

    await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);

    const live = () =>
      page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid^="device-card-"][data-state="live"]').length === n,
        DASHBOARD_DEVICES,
        { polling: 'raf' },
      );
    const dashboardJs = await jsLoadedBy(page, `${web.url}/`, live);
    console.log(`JS for the signed-in dashboard (all chunks): ${kb(dashboardJs)} gzip`);

    const times: number[] = [];
    for (let run = 0; run < DASHBOARD_RUNS; run += 1) {
      await page.goto(`${web.url}/`);
      await live();
      times.push(await page.evaluate(() => performance.now()));
    }
    console.log(
      `navigation → live dashboard, ${DASHBOARD_DEVICES} devices: median ${median(times).toFixed(0)} ms, ` +
        `p99 ${p99(times).toFixed(0)} ms (${DASHBOARD_RUNS} runs, session restored from IndexedDB each time)`,
    );
    await context.close();
  } finally {
    await web.stop();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  build();
  const first = firstPageFromBuild();
  console.log(
    `first page JS from the build (entry + preloads, ${first.files.length} files): ${kb(first.gzip)} gzip`,
  );
  if (!whichProgram('chromium')) {
    console.log('SKIP: chromium is not installed; no browser figures.');
    return;
  }
  const browser = await launchChromium();
  try {
    await dashboardFigures(browser);
    console.log(
      'toggle click → acknowledged on screen: not measured yet (needs the control route, bridge and simulator)',
    );
  } finally {
    await browser.close();
  }
}

await main();
