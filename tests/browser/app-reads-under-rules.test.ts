import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { openTestPage, serveTestPage, type TestPageServer, waitForSnapshot } from './page-harness.ts';

// The web app's Firestore reads, made by the web SDK's browser build in headless Chromium against a stack that
// enforces the product's firestore.rules: the dashboard's own links query (hosting/src/devices/queries.ts), the
// per-device listener, a command document and the device config are allowed to a linked user; a device they
// have no link to is refused; and once their link is removed, their live device listener is cut off.

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)("the web app's reads in Chromium under firestore.rules", () => {
  let stack: Stack;
  let web: TestPageServer;
  let browser: Browser;
  let adminApp: App;
  let admin: Firestore;
  let page: Page;
  let errors: string[];
  let close: () => Promise<void>;
  let uid: string;
  const DEVICE = 'ESP32_RULES1';
  const OTHER = 'ESP32_RULES2';

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth'] });
    expect(stack.rulesFile).toMatch(/firestore\.rules$/);
    process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
    adminApp = initializeApp({ projectId: stack.projectId }, `app-reads-${stack.projectId}`);
    admin = getFirestore(adminApp);
    web = await serveTestPage();
    browser = await launchChromium();
    const [host, port] = stack.firestoreHost!.split(':');
    ({ page, errors, close } = await openTestPage(browser, web.url, {
      projectId: stack.projectId,
      firestoreHost: host!,
      firestorePort: Number(port),
      authUrl: `http://${stack.authHost}`,
      longPolling: false,
    }));
    uid = await page.evaluate(
      (email) => window.harness.signUp(email, 'correct-horse-42'),
      uniqueEmail('rules'),
    );
    for (const id of [DEVICE, OTHER]) {
      await admin.doc(`devices/${id}`).set({
        device_id: id,
        device_type: '4Relay',
        status: 'active',
        owner_uid: id === DEVICE ? uid : 'someone-else',
        state: { online: true, outputs: { relay1: false } },
      });
    }
    await admin.doc(`devices/${DEVICE}/commands/c1`).set({ command: 'relay', status: 'acked' });
    await admin.doc(`device_configs/${DEVICE}`).set({ wifi_ssid: 'HomeNet', update_interval: 30 });
    await admin.doc(`user_devices/${uid}_${DEVICE}`).set({
      user_id: uid,
      device_id: DEVICE,
      device_name: 'ห้องนั่งเล่น',
      access_level: 'viewer',
      added_at: new Date(),
    });
  });

  afterAll(async () => {
    await close?.().catch(() => undefined);
    await browser?.close();
    await web?.stop();
    if (adminApp) await deleteApp(adminApp);
    await stack?.stop();
  });

  it("allows the dashboard's links query, the device and command listeners and the config read", async () => {
    await page.evaluate(
      ({ user, device }) => {
        window.harness.listenDashboard('links', user);
        window.harness.listenDoc('device', `devices/${device}`);
        window.harness.listenDoc('command', `devices/${device}/commands/c1`);
      },
      { user: uid, device: DEVICE },
    );
    const links = await waitForSnapshot(page, 'links', '!last.fromCache && last.docs.length === 1');
    expect(links.events.at(-1)?.docs[0]?.id).toBe(`${uid}_${DEVICE}`);
    expect(links.errors).toEqual([]);
    const device = await waitForSnapshot(page, 'device', '!last.fromCache && last.exists');
    expect(device.events.at(-1)?.docs[0]?.data.state).toEqual({ online: true, outputs: { relay1: false } });
    const command = await waitForSnapshot(page, 'command', '!last.fromCache && last.exists');
    expect(command.events.at(-1)?.docs[0]?.data.status).toBe('acked');
    const config = await page.evaluate((d) => window.harness.read(`device_configs/${d}`), DEVICE);
    expect(config).toEqual({ wifi_ssid: 'HomeNet', update_interval: 30 });
    expect(errors).toEqual([]);
  });

  it('refuses a device, config or links query the user has no link to: permission-denied', async () => {
    expect(await page.evaluate((d) => window.harness.read(`devices/${d}`), OTHER)).toBe('permission-denied');
    expect(await page.evaluate((d) => window.harness.read(`device_configs/${d}`), OTHER)).toBe(
      'permission-denied',
    );
    await page.evaluate(() => window.harness.listenDashboard('theirs', 'someone-else'));
    await page.waitForFunction(() => window.harness.state('theirs').errors.length > 0);
    expect((await page.evaluate(() => window.harness.state('theirs'))).errors[0]).toMatch(
      /^permission-denied/,
    );
  });

  it("cuts off a removed user's live device listener with permission-denied, and drops the link", async () => {
    await waitForSnapshot(page, 'device', '!last.fromCache && last.exists');
    // As DELETE /api/devices/{id}/share/{uid} does: the link goes; then the device changes.
    await admin.doc(`user_devices/${uid}_${DEVICE}`).delete();
    await admin.doc(`devices/${DEVICE}`).update({ 'state.outputs.relay1': true });
    await waitForSnapshot(page, 'links', '!last.fromCache && last.docs.length === 0');
    await page.waitForFunction(() => window.harness.state('device').errors.length > 0, undefined, {
      timeout: 20_000,
    });
    const device = await page.evaluate(() => window.harness.state('device'));
    expect(device.errors[0]).toMatch(/^permission-denied/);
    // The change made after the removal never reached the removed user.
    const relay1 = (data: Record<string, unknown> | undefined) =>
      (data?.state as { outputs?: { relay1?: boolean } } | undefined)?.outputs?.relay1;
    expect(device.events.some((e) => relay1(e.docs[0]?.data) === true)).toBe(false);
    expect(await page.evaluate((d) => window.harness.read(`devices/${d}`), DEVICE)).toBe('permission-denied');
    expect(errors).toEqual([]);
  });
});
