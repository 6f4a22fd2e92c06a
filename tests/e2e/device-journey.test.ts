import type { CreateDeviceResponse } from '@esp32cloud/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { requireProgram } from '../harness/programs.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { type DeviceStack, startDeviceStack } from './device-stack.ts';

// Issue 7's whole journey through every real part: a newcomer opens the setup link of a provisioned device,
// signs up in the wizard, names and claims it, gives the Wi-Fi name, plugs the (simulated) device in and
// watches the wizard notice it come online; then on the dashboard switches relay 1 on and sees both the
// simulator's relay and the screen change once the device has acknowledged.

const hasChromium = requireProgram('chromium');
const brokerKind = brokerUnderTest('customer journey');

describe.skipIf(!hasChromium)(
  `customer journey: QR → wizard → online → relay 1 on (Chromium, ${brokerKind} broker, bridge, simulator)`,
  () => {
    let world: DeviceStack;
    let browser: Browser;
    let provisioned: CreateDeviceResponse;

    beforeAll(async () => {
      world = await startDeviceStack(brokerKind);
      browser = await launchChromium();
      provisioned = await world.provision('4Relay');
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await world?.stop();
    });

    it('runs on the broker it names', () => {
      expect(world.broker.kind).toBe(brokerKind);
    });

    it('sets the device up from its QR link and switches relay 1 on from the dashboard', async () => {
      const errors: string[] = [];
      const page = await newPhonePage(browser, errors);
      await page.goto(`${world.web.url}/setup${new URL(provisioned.setup_url).search}`);
      await page.getByTestId('check-ok').waitFor();
      await page.getByRole('button', { name: 'ถัดไป' }).click();
      await page.getByLabel('อีเมล').fill(uniqueEmail('journey'));
      await page.getByLabel('รหัสผ่าน').fill('correct-horse-42');
      await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();
      await page.getByRole('textbox', { name: 'ชื่ออุปกรณ์', exact: true }).fill('ห้องนั่งเล่น');
      await page.getByRole('button', { name: 'เพิ่มเข้าบัญชีของฉัน' }).click();
      await page.getByRole('textbox', { name: 'ชื่อเครือข่าย Wi-Fi ที่บ้าน (SSID)', exact: true }).fill('HomeNet');
      await page.getByRole('button', { name: 'บันทึกชื่อเครือข่าย' }).click();
      await page.getByRole('button', { name: 'บันทึกชื่อเครือข่ายแล้ว' }).waitFor();
      expect(await page.getByTestId('wifi-status').getAttribute('data-online')).toBe('false');
      await screenshot(page, 'journey-1-waiting-for-device');

      // The customer plugs the device in; the wizard hears it come online through its Firestore listener.
      const device = await world.plugIn(provisioned);
      await page.locator('[data-testid="wifi-status"][data-online="true"]').waitFor({ timeout: 30_000 });
      await screenshot(page, 'journey-2-device-online');
      await page.getByRole('button', { name: 'ถัดไป' }).click();
      await page.getByRole('button', { name: 'ไปที่อุปกรณ์ของฉัน' }).click();

      const card = page.getByTestId(`device-card-${provisioned.device_id}`);
      await page
        .locator(`[data-testid="device-card-${provisioned.device_id}"][data-online="true"]`)
        .waitFor();
      await screenshot(page, 'journey-3-dashboard-online');
      await card.click();

      const relay1 = page.getByTestId('output-relay1');
      expect(await relay1.getAttribute('aria-pressed')).toBe('false');
      expect(device.state().outputs.relay1).toBe(false);
      await relay1.click();
      // Pending until the device acknowledges and reports, then pressed.
      await page.locator('[data-testid="output-relay1"][aria-pressed="true"][data-pending="false"]').waitFor({
        timeout: 30_000,
      });
      expect(device.state().outputs.relay1).toBe(true);
      expect(await relay1.textContent()).toBe('รีเลย์ 1: เปิด');
      await screenshot(page, 'journey-4-relay1-on');
      expect(errors).toEqual([]);
    });
  },
);
