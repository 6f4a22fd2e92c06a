import { liveDashboard, seedFleet } from '@esp32cloud/tests/e2e/fleet';
import { signUp, uniqueEmail } from '@esp32cloud/tests/harness/auth';
import { startStack } from '@esp32cloud/tests/harness/stack';
import { buildWebApp, runtimeConfigForStack, startWebServer } from '@esp32cloud/tests/harness/web';
import type { Page } from 'playwright-core';
import { median } from './lib/bench-figures.ts';
import { launchChromium } from './lib/chromium.ts';

// Paired navigation → live dashboard of two builds of the app against ONE Firestore emulator and one fleet,
// alternating navigations so both see the same machine load (docs/SCALING.md): `BEFORE_DIST=<a built app>
// npx tsx scripts/web-paired.ts [devices] [pairs]`; the other build is this checkout's (built privately). Make
// the "before" build in another checkout with `npx vite build --config hosting/vite.config.ts --mode emulators --outDir <folder>`.
// Prints each pair, each build's median and the median of the per-pair ratios (after / before). Not a
// `npm run bench` file: it needs a second build to compare with.

const before = process.env.BEFORE_DIST;
if (!before) throw new Error('BEFORE_DIST=<folder of a built app> is required');
const count = Number(process.argv[2] ?? 1000);
const pairs = Number(process.argv[3] ?? 8);

const stack = await startStack({ firestore: true, firebase: ['auth'] });
const config = runtimeConfigForStack(stack);
const webs = [
  await startWebServer({ config, apiUrl: stack.apiUrl, root: before }),
  await startWebServer({ config, apiUrl: stack.apiUrl, root: await buildWebApp() }),
];
const browser = await launchChromium();
try {
  const user = await signUp(stack.authHost!, uniqueEmail('paired'));
  await seedFleet({
    projectId: stack.projectId,
    firestoreHost: stack.firestoreHost!,
    uid: user.uid,
    count,
    idBase: 0xe00000,
  });
  const pages: Page[] = [];
  for (const web of webs) {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await liveDashboard(page, count);
    pages.push(page);
  }
  const times: number[][] = [[], []];
  const ratios: number[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const order = pair % 2 === 0 ? [0, 1] : [1, 0];
    const got: number[] = [0, 0];
    for (const which of order) {
      const page = pages[which]!;
      await page.goto(`${webs[which]!.url}/`);
      await liveDashboard(page, count);
      got[which] = await page.evaluate(() => performance.now());
      times[which]!.push(got[which]!);
    }
    ratios.push(got[1]! / got[0]!);
    console.log(`pair ${pair + 1}: before ${got[0]!.toFixed(0)} ms, after ${got[1]!.toFixed(0)} ms`);
  }
  console.log(
    `${count} devices: before median ${median(times[0]!).toFixed(0)} ms, after median ${median(times[1]!).toFixed(0)} ms, ` +
      `ratio (median of pairs) ${median(ratios).toFixed(2)} (n=${pairs})`,
  );
} finally {
  await browser.close();
  for (const web of webs) await web.stop();
  await stack.stop();
}
