import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, type TestUser, uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { fleetDeviceId, liveDashboard, seedFleet } from './fleet.ts';

// Issue 19's accessibility bar, in real Chromium with axe-core (@axe-core/playwright): every page of the app, in
// Thai and in English, light and dark, has no serious or critical violation (WCAG 2.1 A/AA rules, colour
// contrast included). The keyboard-only journey is in everyday-dashboard.test.ts.

const hasChromium = requireProgram('chromium');
const ID_BASE = 0xacc000;
// Devices 0, 1, 2 of the seeded fleet: a sensor, a 4-relay board and an LED controller.
const DEVICES = [0, 1, 2].map((i) => fleetDeviceId(ID_BASE, i));

interface Finding {
  page: string;
  rule: string;
  impact: string;
  nodes: string[];
}

async function audit(page: Page, label: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      page: label,
      rule: v.id,
      impact: v.impact ?? '',
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
}

describe.skipIf(!hasChromium)('accessibility: axe-core over every page (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let owner: TestUser;

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    owner = await signUp(stack.authHost!, uniqueEmail('a11y'));
    await seedFleet({
      projectId: stack.projectId,
      firestoreHost: stack.firestoreHost!,
      uid: owner.uid,
      count: 12,
      idBase: ID_BASE,
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  for (const scheme of ['light', 'dark'] as const) {
    for (const lang of ['th', 'en'] as const) {
      it(`has no serious or critical violation on any page (${lang}, ${scheme})`, async () => {
        const context: BrowserContext = await browser.newContext({
          viewport: { width: 390, height: 844 },
          colorScheme: scheme,
          reducedMotion: 'reduce',
        });
        await context.addInitScript((l) => localStorage.setItem('esp32cloud.lang', l), lang);
        const page = await context.newPage();
        page.setDefaultTimeout(20_000);
        const findings: Finding[] = [];
        const visit = async (path: string, ready: () => Promise<unknown>) => {
          await page.goto(`${web.url}${path}`);
          await ready();
          findings.push(...(await audit(page, path)));
        };

        await visit('/signin', () => page.locator('form input[type="email"]').waitFor());
        await visit('/signup', () => page.locator('form input[type="password"]').waitFor());
        await visit('/reset', () => page.locator('form input[type="email"]').waitFor());
        await visit('/setup', () => page.locator('main h1').first().waitFor());
        await visit('/no-such-page', () => page.locator('main h1').waitFor());

        await page.goto(`${web.url}/signin`);
        await page.locator('input[type="email"]').fill(owner.email);
        await page.locator('input[type="password"]').fill(owner.password);
        await page.locator('form button[type="submit"]').click();
        await page.waitForURL(`${web.url}/`);
        await visit('/', () => liveDashboard(page, 12));
        for (const id of DEVICES) {
          await visit(`/devices/${id}`, () => page.getByTestId('device-detail').waitFor());
        }
        await visit('/notifications', () => page.locator('main h1').waitFor());
        await context.close();
        expect(findings).toEqual([]);
      });
    }
  }
});
