import { chromiumPath, launchChromium } from '../lib/chromium.ts';

// Optional PDF of the label sheet (`--pdf`), printed by the local Chromium (scripts/lib/chromium.ts).

export async function printLabelSheetPdf(htmlFile: string, pdfFile: string): Promise<void> {
  if (!chromiumPath()) throw new Error('--pdf needs Chromium (install it, or set CHROMIUM_PATH)');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`file://${htmlFile}`);
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
