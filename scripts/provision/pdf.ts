import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { keepPrivate } from './secret-files.ts';

// Optional PDF of the label sheet (`--pdf`), printed by a locally installed Chromium through playwright-core
// (never a downloaded browser). CHROMIUM_PATH overrides the default /usr/bin/chromium.

export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

export async function printLabelSheetPdf(htmlFile: string, pdfFile: string): Promise<void> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('--pdf needs Chromium (install it, or set CHROMIUM_PATH)');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${htmlFile}`);
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true, preferCSSPageSize: true });
    await keepPrivate(pdfFile);
  } finally {
    await browser.close();
  }
}
