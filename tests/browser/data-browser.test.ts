import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { type RunningEmulator, start } from '../../tools/firestore-emulator/src/index.ts';
import { requireProgram } from '../harness/programs.ts';

// The Firestore emulator's data browser in real Chromium: collections tree, documents, live update on a
// commit, recent rule denials with their reason, clear data.

const hasChromium = requireProgram('chromium');
const projectId = 'demo-data-browser';
let emulator: RunningEmulator;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function call(method: string, path: string, body?: unknown, token = 'owner') {
  return fetch(`${emulator.url}/v1/projects/${projectId}/databases/(default)/documents/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  if (!hasChromium) return;
  emulator = await start({ port: 0, projectId, quiet: true });
  await call('PATCH', 'devices/ESP32_AA', {
    fields: { name: { stringValue: 'ห้องนั่งเล่น' }, relays: { integerValue: '4' } },
  });
  await call('PATCH', 'devices/ESP32_AA/commands/c1', { fields: { status: { stringValue: 'queued' } } });
  emulator.service.setRules(
    projectId,
    `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /devices/{id} { allow get: if request.auth != null && request.auth.uid == 'owner-uid'; }
  }
}`,
  );
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${emulator.url}/browser`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
});

describe.skipIf(!hasChromium)('data browser', () => {
  it('shows the collections tree and the documents of a collection', async () => {
    await page.getByRole('button', { name: 'devices', exact: true }).click();
    const card = page.locator('article[data-path="devices/ESP32_AA"]');
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain('ห้องนั่งเล่น');
    await card.getByRole('button', { name: '→ commands' }).click();
    await expect
      .poll(() => page.locator('article[data-path="devices/ESP32_AA/commands/c1"]').textContent(), {
        timeout: 20_000,
      })
      .toContain('queued');
    await page.getByRole('button', { name: 'devices', exact: true }).click();
  });

  it('updates live when a document changes', async () => {
    await call('PATCH', 'devices/ESP32_BB', { fields: { name: { stringValue: 'Garage' } } });
    await expect
      .poll(() => page.locator('article[data-path="devices/ESP32_BB"]').textContent(), { timeout: 20_000 })
      .toContain('Garage');
  });

  it('lists recent rule denials with the rule and the reason', async () => {
    const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"stranger"}').toString('base64url')}.`;
    expect((await call('GET', 'devices/ESP32_AA', undefined, token)).status).toBe(403);
    await expect
      .poll(() => page.locator('#denials').textContent(), { timeout: 20_000 })
      .toContain("Rules deny 'get'");
    const text = await page.locator('#denials').textContent();
    expect(text).toContain('stranger');
    expect(text).toContain('allow get @ L4');
  });

  it('clears all data', async () => {
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Clear all data' }).click();
    await expect.poll(() => page.locator('article').count(), { timeout: 20_000 }).toBe(0);
    expect((await call('GET', 'devices/ESP32_AA')).status).toBe(404);
    expect(pageErrors).toEqual([]);
  });
});
