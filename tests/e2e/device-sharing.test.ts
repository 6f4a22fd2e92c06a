import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { th } from '@esp32cloud/hosting/i18n/th';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, signUpVerified, type TestUser } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { call, provision } from '../registry/helpers.ts';
import { newPhonePage, screenshot } from './browser.ts';

// The owner's "Share" section in real Chromium, against the real api function, Auth emulator and our Firestore
// emulator: the owner is listed, an unknown email gets a plain Thai message, a viewer is added and removed.

const hasChromium = requireProgram('chromium');

describe.skipIf(!hasChromium)('sharing a device from its settings (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let workDir: string;
  let owner: TestUser;
  let friend: TestUser;
  let deviceId: string;

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    workDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-sharing-'));
    const { devices } = await provision(stack, {
      type: '4Relay',
      count: 1,
      out: workDir,
      batch: 'e2e-share',
    });
    owner = await signUp(stack.authHost!);
    // Shares go only to verified accounts: the friend verifies through the Auth emulator's oobCodes.
    friend = await signUpVerified(stack.authHost!, stack.projectId);
    const registered = await call(stack.apiUrl!, 'POST', '/devices/register', {
      token: owner.idToken,
      body: {
        serial_number: devices[0].serial_number,
        claim_code: devices[0].claim_code,
        device_name: 'ห้องนั่งเล่น',
      },
    });
    expect(registered.status).toBe(201);
    deviceId = devices[0].device_id;
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const sharesSeenByApi = async () =>
    (
      (await call(stack.apiUrl!, 'GET', `/devices/${deviceId}/shares`, { token: owner.idToken })).body
        .shares as { user_id: string; access_level: string }[]
    ).map((s) => [s.user_id, s.access_level]);

  it('lists the owner, explains an unknown email, adds a viewer and removes them', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signin`);
    await page.getByRole('textbox', { name: 'อีเมล' }).fill(owner.email);
    await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(owner.password);
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId(`device-card-${deviceId}`).click();
    const sharing = page.getByTestId('sharing');
    await sharing.getByTestId(`share-${owner.uid}`).getByText(th['share.level.owner']).waitFor();

    const email = sharing.getByRole('textbox', { name: th['share.email'] });
    const submit = sharing.getByRole('button', { name: th['share.add'], exact: true });
    await email.fill('nobody-at-all@example.test');
    await submit.click();
    await sharing.getByRole('alert').getByText(th['share.error.userNotFound']).waitFor();

    await email.fill(friend.email);
    await sharing.getByRole('combobox', { name: th['share.level'] }).selectOption('viewer');
    await submit.click();
    const friendLevel = sharing.getByRole('combobox', {
      name: th['share.levelFor'].replace('{email}', friend.email),
    });
    await friendLevel.waitFor();
    expect(await friendLevel.inputValue()).toBe('viewer');
    expect(await sharing.getByRole('alert').count()).toBe(0);
    expect(await email.inputValue()).toBe('');
    expect(await sharesSeenByApi()).toEqual([
      [owner.uid, 'owner'],
      [friend.uid, 'viewer'],
    ]);
    await screenshot(page, 'sharing-owner-with-viewer');

    // The row's own select changes the level in place.
    await friendLevel.selectOption('controller');
    await sharing
      .getByRole('status')
      .getByText(th['share.changed'].replace('{email}', friend.email))
      .waitFor();
    expect(await sharesSeenByApi()).toEqual([
      [owner.uid, 'owner'],
      [friend.uid, 'controller'],
    ]);
    expect(await friendLevel.inputValue()).toBe('controller');

    await sharing
      .getByRole('button', { name: th['share.removeFor'].replace('{email}', friend.email) })
      .click();
    await sharing.getByTestId(`share-${friend.uid}`).waitFor({ state: 'detached' });
    expect(await sharesSeenByApi()).toEqual([[owner.uid, 'owner']]);
    // The owner's own row has no remove button.
    expect(await sharing.getByRole('button', { name: th['share.remove'] }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
