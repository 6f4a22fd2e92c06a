import {
  type CreateDeviceResponse,
  type DeviceConfigResponse,
  normalizeClaimCode,
} from '@esp32cloud/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import {
  DEFAULT_HOME_PASSWORD,
  DEFAULT_HOME_SSID,
  type ProvisioningDevice,
  startProvisioningDevice,
} from '../../simulator/src/index.ts';
import { signIn, uniqueEmail } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { requireProgram } from '../harness/programs.ts';
import { BLUETOOTH_FLAGS, type EmulatedBluetooth, emulateBluetooth } from './bluetooth.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { type DeviceStack, startDeviceStack } from './device-stack.ts';
import { apiGet } from './operator.ts';

// Issue 20: Wi-Fi setup from the setup page over Bluetooth (ESP-IDF unified provisioning), in real Chromium
// with its emulated Bluetooth adapter wired to the simulator's BLE provisioning responder. The device starts
// without Wi-Fi; the customer goes from the QR link through sign-up and claiming, sends the Wi-Fi password
// over Bluetooth and watches the device come online through the real broker, bridge and Firestore.

const hasChromium = requireProgram('chromium');
const brokerKind = brokerUnderTest('Wi-Fi setup over Bluetooth');
const ACCOUNT_PASSWORD = 'correct-horse-42';

describe.skipIf(!hasChromium)(
  `Wi-Fi setup over Bluetooth (Chromium Bluetooth emulation + simulator, ${brokerKind} broker)`,
  () => {
    let world: DeviceStack;
    const browsers: Browser[] = [];
    const units: ProvisioningDevice[] = [];

    beforeAll(async () => {
      world = await startDeviceStack(brokerKind);
    }, 240_000);

    afterAll(async () => {
      for (const browser of browsers) await browser.close().catch(() => undefined);
      for (const unit of units) await unit.stop().catch(() => undefined);
      await world?.stop();
    });

    async function boxFreshDevice(security: 1 | 2, pop?: string) {
      const provisioned = await world.provision('4Relay');
      const unit = startProvisioningDevice(provisioned.flash_config, {
        pop: pop ?? normalizeClaimCode(provisioned.claim_code),
        security,
        joinMs: 200,
        simulator: { brokerUrl: world.broker.url },
      });
      units.push(unit);
      return { provisioned, unit };
    }

    async function phone(bluetooth: boolean) {
      const browser = await launchChromium(bluetooth ? BLUETOOTH_FLAGS : []);
      browsers.push(browser);
      const errors: string[] = [];
      const page = await newPhonePage(browser, errors);
      return { browser, page, errors };
    }

    /** QR link → check → sign up → name → claim: the Wi-Fi step, in Thai or English. */
    async function reachWifiStep(
      page: Page,
      provisioned: CreateDeviceResponse,
      lang: 'th' | 'en',
      email: string,
    ) {
      await page.goto(`${world.web.url}/setup${new URL(provisioned.setup_url).search}`);
      await page.getByTestId('check-ok').waitFor();
      if (lang === 'en') await page.getByTestId('lang-switch').click();
      const en = lang === 'en';
      await page.getByRole('button', { name: en ? 'Next' : 'ถัดไป' }).click();
      await page.getByLabel(en ? 'Email' : 'อีเมล').fill(email);
      await page.getByLabel(en ? 'Password' : 'รหัสผ่าน').fill(ACCOUNT_PASSWORD);
      await page
        .getByRole('button', { name: en ? 'Create account' : 'สร้างบัญชี' })
        .last()
        .click();
      await page
        .getByRole('textbox', { name: en ? 'Device name' : 'ชื่ออุปกรณ์', exact: true })
        .fill(en ? 'Garage' : 'ห้องนั่งเล่น');
      await page.getByRole('button', { name: en ? 'Add to my account' : 'เพิ่มเข้าบัญชีของฉัน' }).click();
      await page.getByRole('heading', { name: en ? 'Connect to Wi-Fi' : 'เชื่อมต่อ Wi-Fi' }).waitFor();
    }

    /** Nothing the page sent to our API, and no Bluetooth write, carried the Wi-Fi password in the clear. */
    function watchForPassword(page: Page) {
      const leaks: string[] = [];
      page.on('request', (request) => {
        const body = request.postData() ?? '';
        if (body.includes(DEFAULT_HOME_PASSWORD) || request.url().includes(DEFAULT_HOME_PASSWORD))
          leaks.push(request.url());
      });
      return leaks;
    }

    function noPasswordOverTheAir(bluetooth: EmulatedBluetooth) {
      const secret = Buffer.from(DEFAULT_HOME_PASSWORD);
      for (const write of bluetooth.writes)
        expect(Buffer.from(write.data, 'base64').includes(secret), write.endpoint).toBe(false);
      expect(bluetooth.writes.some((w) => w.endpoint === 'prov-config')).toBe(true);
    }

    it('security 1: QR link to online, with a wrong Wi-Fi password corrected on the way (Thai)', async () => {
      const { provisioned, unit } = await boxFreshDevice(1);
      const { browser, page, errors } = await phone(true);
      const leaks = watchForPassword(page);
      const bluetooth = await emulateBluetooth(browser, page, unit.peripheral);
      const email = uniqueEmail('ble1');
      await reachWifiStep(page, provisioned, 'th', email);

      // The SoftAP guide stays below as the fallback.
      expect(await page.getByTestId('ap-name').textContent()).toBe(provisioned.device_id);
      await screenshot(page, 'ble-1-wifi-step');
      await page.getByRole('button', { name: 'ตั้งค่า Wi-Fi ผ่านบลูทูธ' }).click();

      const networks = page.getByTestId('ble-networks');
      await networks.getByText(DEFAULT_HOME_SSID).waitFor();
      expect(await networks.getByRole('radio').count()).toBe(4);
      expect(await networks.getByRole('img', { name: 'ไม่ต้องใช้รหัสผ่าน' }).count()).toBe(1);
      expect(await page.getByRole('radio', { name: DEFAULT_HOME_SSID }).isChecked()).toBe(true);
      await screenshot(page, 'ble-2-networks');

      await page.getByRole('textbox', { name: 'รหัสผ่าน Wi-Fi', exact: true }).fill('wrong-horse-24');
      await page.getByRole('button', { name: 'เชื่อมต่อ Wi-Fi' }).click();
      await page.getByRole('alert').getByText('รหัสผ่าน Wi-Fi ไม่ถูกต้อง', { exact: false }).waitFor();
      expect(unit.device()).toBeNull();
      await screenshot(page, 'ble-3-wrong-password');

      await page.getByRole('textbox', { name: 'รหัสผ่าน Wi-Fi', exact: true }).fill(DEFAULT_HOME_PASSWORD);
      await page.getByRole('button', { name: 'เชื่อมต่อ Wi-Fi' }).click();
      await page.getByTestId('ble-joined').waitFor();
      await page.locator('[data-testid="wifi-status"][data-online="true"]').waitFor({ timeout: 30_000 });
      await screenshot(page, 'ble-4-online');
      await page.getByRole('button', { name: 'ถัดไป' }).click();
      await page.getByTestId('setup-done').waitFor();

      // The network name went to the device's config as before; the password went nowhere but the device.
      const owner = await signIn(world.stack.authHost!, email, ACCOUNT_PASSWORD);
      const config = await apiGet<DeviceConfigResponse>(
        world.stack.apiUrl!,
        `/devices/${provisioned.device_id}/config`,
        owner.idToken,
      );
      expect(config.wifi_ssid).toBe(DEFAULT_HOME_SSID);
      expect(JSON.stringify(config)).not.toContain(DEFAULT_HOME_PASSWORD);
      expect(leaks).toEqual([]);
      noPasswordOverTheAir(bluetooth);
      expect(unit.responder.state).toMatchObject({ state: 'connected', ssid: DEFAULT_HOME_SSID });
      await bluetooth.stop();
      expect(errors).toEqual([]);
    });

    it('security 2: QR link to online (English)', async () => {
      const { provisioned, unit } = await boxFreshDevice(2);
      const { browser, page, errors } = await phone(true);
      const leaks = watchForPassword(page);
      const bluetooth = await emulateBluetooth(browser, page, unit.peripheral);
      await reachWifiStep(page, provisioned, 'en', uniqueEmail('ble2'));

      await page.getByRole('button', { name: 'Set up Wi-Fi over Bluetooth' }).click();
      await page.getByRole('radio', { name: DEFAULT_HOME_SSID }).waitFor();
      await page.getByRole('textbox', { name: 'Wi-Fi password', exact: true }).fill(DEFAULT_HOME_PASSWORD);
      await page.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
      await page.getByText(`The device joined “${DEFAULT_HOME_SSID}”`, { exact: false }).waitFor();
      await page.locator('[data-testid="wifi-status"][data-online="true"]').waitFor({ timeout: 30_000 });
      await screenshot(page, 'ble-5-online-sec2');
      expect(unit.responder.version.prov).toMatchObject({ sec_ver: 2, sec_patch_ver: 1 });
      expect((await unit.waitOnline()).state().connected).toBe(true);
      expect(leaks).toEqual([]);
      noPasswordOverTheAir(bluetooth);
      await bluetooth.stop();
      expect(errors).toEqual([]);
    });

    it('a device that does not accept the claim code fails the session with a clear message', async () => {
      const { provisioned, unit } = await boxFreshDevice(2, 'ZZZZZZZZZZ');
      const { browser, page, errors } = await phone(true);
      const bluetooth = await emulateBluetooth(browser, page, unit.peripheral);
      await reachWifiStep(page, provisioned, 'en', uniqueEmail('blepop'));

      await page.getByRole('button', { name: 'Set up Wi-Fi over Bluetooth' }).click();
      await page
        .getByRole('alert')
        .getByText('The device did not accept the claim code.', { exact: false })
        .waitFor();
      // Nothing reached the Wi-Fi endpoints, and the customer can try again.
      expect(bluetooth.writes.map((w) => w.endpoint)).not.toContain('prov-config');
      expect(await page.getByRole('button', { name: 'Set up Wi-Fi over Bluetooth' }).isEnabled()).toBe(true);
      await screenshot(page, 'ble-6-wrong-pop');
      await bluetooth.stop();
      expect(errors).toEqual([]);
    });

    it('a browser without Web Bluetooth gets the SoftAP guide only', async () => {
      const provisioned = await world.provision('4Relay');
      const { page, errors } = await phone(false);
      await reachWifiStep(page, provisioned, 'th', uniqueEmail('noble'));
      expect(await page.evaluate(() => 'bluetooth' in navigator)).toBe(false);
      expect(await page.getByTestId('ap-name').textContent()).toBe(provisioned.device_id);
      expect(await page.getByTestId('ble-setup').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'ตั้งค่า Wi-Fi ผ่านบลูทูธ' }).count()).toBe(0);
      expect(errors).toEqual([]);
    });
  },
);
