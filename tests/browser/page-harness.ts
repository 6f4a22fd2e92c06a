import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import type { ListenerState, PageConfig } from './page/main.ts';

// The Firestore test page: tests/browser/page bundled by a Vite production build (the web SDK's browser build,
// as an app ships it) into a temp dir, served from 127.0.0.1 on a free port, driven through window.harness.

export type { ListenerState, PageConfig, SnapshotEvent } from './page/main.ts';

const pageRoot = path.resolve(import.meta.dirname, 'page');

export interface TestPageServer {
  url: string;
  stop(): Promise<void>;
}

/** Builds the page (production mode, minified) and serves it. */
export async function serveTestPage(): Promise<TestPageServer> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'firestore-page-'));
  await build({
    root: pageRoot,
    mode: 'production',
    logLevel: 'warn',
    configFile: false,
    build: { outDir, emptyOutDir: true, minify: true, sourcemap: false, chunkSizeWarningLimit: 4096 },
  });
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
  };
  const server = http.createServer((request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://page').pathname;
    const file = path.join(outDir, urlPath === '/' ? 'index.html' : path.normalize(urlPath));
    if (!file.startsWith(outDir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': `${types[path.extname(file)] ?? 'application/octet-stream'}; charset=utf-8`,
    });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(outDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** A fresh browser context with the page loaded and the SDK initialised. Page errors are collected. */
export async function openTestPage(
  browser: Browser,
  pageUrl: string,
  config: PageConfig,
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const { pages, errors, close } = await openTestTabs(browser, pageUrl, config, 1);
  return { page: pages[0]!, errors, close };
}

/** Several tabs of the page in one browser context (one profile: they share its connection pools). */
export async function openTestTabs(
  browser: Browser,
  pageUrl: string,
  config: PageConfig,
  count: number,
): Promise<{ pages: Page[]; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext();
  const errors: string[] = [];
  const pages: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    await page.evaluate((c) => window.harness.init(c), config);
    pages.push(page);
  }
  return { pages, errors, close: () => context.close() };
}

export function listenerState(page: Page, name: string): Promise<ListenerState> {
  return page.evaluate((n) => window.harness.state(n), name);
}

/**
 * Waits until a listener's latest snapshot satisfies a predicate (evaluated in the page), bounded by timeoutMs.
 * Returns the listener state at that moment.
 */
export async function waitForSnapshot(
  page: Page,
  name: string,
  predicate: string,
  timeoutMs = 20_000,
): Promise<ListenerState> {
  try {
    await page.waitForFunction(
      ({ n, p }) => {
        const state = window.harness.state(n);
        const last = state.events[state.events.length - 1];
        // The predicate is test code, written by the test: `last` is the latest SnapshotEvent.
        return last !== undefined && Boolean(new Function('last', `return (${p});`)(last));
      },
      { n: name, p: predicate },
      { timeout: timeoutMs, polling: 20 },
    );
  } catch (error) {
    const state = await listenerState(page, name);
    const last = state.events[state.events.length - 1];
    throw new Error(
      `listener ${name} never satisfied ${predicate}; last snapshot ${JSON.stringify(last)}, errors ${JSON.stringify(state.errors)}: ${error}`,
    );
  }
  return listenerState(page, name);
}
