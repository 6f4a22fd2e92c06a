import { openTestPage, serveTestPage } from '@esp32cloud/tests/browser/page-harness';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import type { Page } from 'playwright-core';
import { latencySummary, requireBenchProgram } from '../../../scripts/lib/bench-figures.ts';
import { launchChromium } from '../../../scripts/lib/chromium.ts';
import { start } from '../src/index.ts';

// Browser-observed latency over WebChannel: from the moment the Admin SDK (gRPC) starts a write to the moment
// the web SDK's onSnapshot callback runs in headless Chromium, 100 writes each with the streaming back channel
// (page pointed at 127.0.0.1, and at localhost where back channels get their own *.localhost host) and with
// forced long polling. Page and test process clocks are aligned by an NTP-style calibration first.

const SAMPLES = 100;

function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Page clock minus this process's clock, from the round trip with the smallest delay. */
async function clockOffset(page: Page): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 30; i += 1) {
    const sent = now();
    const pageTime = await page.evaluate(() => performance.timeOrigin + performance.now());
    const received = now();
    if (received - sent < best.rtt) best = { rtt: received - sent, offset: pageTime - (sent + received) / 2 };
  }
  return best.offset;
}

async function main(): Promise<void> {
  requireBenchProgram('chromium', 'browser-observed latency');
  const projectId = 'demo-bench-browser';
  const emulator = await start({ host: '127.0.0.1', port: 0, projectId, quiet: true });
  process.env.FIRESTORE_EMULATOR_HOST = emulator.hostAndPort;
  const app = initializeApp({ projectId }, 'bench-browser');
  const admin = getFirestore(app);
  const web = await serveTestPage();
  const browser = await launchChromium();
  try {
    const modes = [
      { mode: 'streaming, 127.0.0.1', host: emulator.host, longPolling: false },
      { mode: 'streaming, localhost', host: 'localhost', longPolling: false },
      { mode: 'long polling, 127.0.0.1', host: emulator.host, longPolling: true },
    ];
    for (const [index, { mode, host, longPolling }] of modes.entries()) {
      const opened = await openTestPage(browser, web.url, {
        projectId,
        firestoreHost: host,
        firestorePort: emulator.port,
        authUrl: 'http://127.0.0.1:9',
        longPolling,
      });
      const { page } = opened;
      const path = `bench/mode-${index}`;
      await admin.doc(path).set({ seq: 0 });
      await page.evaluate((p) => window.harness.listenDoc('bench', p), path);
      await page.waitForFunction(() =>
        window.harness.state('bench').events.some((e) => !e.fromCache && e.exists),
      );
      const offset = await clockOffset(page);

      const latencies: number[] = [];
      for (let seq = 1; seq <= SAMPLES + 5; seq += 1) {
        const startedAt = now();
        await admin.doc(path).set({ seq });
        // No named inner functions here: the page gets this source, without tsx's name helpers.
        const seenAt = await page.evaluate(async (s) => {
          for (;;) {
            const hit = window.harness.state('bench').events.find((e) => e.docs[0]?.data.seq === s);
            if (hit) return hit.at;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }, seq);
        if (seq > 5) latencies.push(seenAt - offset - startedAt); // the first few warm up both sides
      }
      console.log(
        `admin write → browser onSnapshot (${mode}): ${latencySummary(latencies)}, min ${Math.min(...latencies).toFixed(1)} ms`,
      );
      await opened.close();
    }
  } finally {
    await browser.close();
    await web.stop();
    await deleteApp(app);
    await emulator.stop();
  }
}

await main();
