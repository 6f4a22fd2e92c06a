import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

// Pages and screenshots for the browser journeys; the browser itself comes from scripts/lib/chromium.ts.

export const artifactsDir = path.resolve(import.meta.dirname, '../../test-artifacts/e2e');

/** A phone-sized page (mobile first) that fails the test on any uncaught page error. */
export async function newPhonePage(
  browser: Browser,
  errors: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}
