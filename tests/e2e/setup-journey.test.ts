import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateDeviceResponse, DeviceConfigResponse } from '@esp32cloud/protocol';
import { computeCheckCharacter, SERIAL_CHECK_ALPHABET } from '@esp32cloud/protocol';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signIn, uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import { runtimeConfigForStack, startWebServer, type WebServer } from '../harness/web.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { FAKE_CAMERA_FLAGS, writeQrVideo } from './fake-camera.ts';
import { apiGet, operatorToken, provisionDevice } from './operator.ts';

// The customer journey of issue 7 in real Chromium against the local stack (Auth + Functions emulators, the
// Node-native Firestore emulator over WebChannel): open the setup link of a provisioned device, sign up in the
// middle of the wizard, name and claim it, give the Wi-Fi name, land on the dashboard with the device live.
// A second user is refused; a mistyped serial is caught before any request.

const hasChromium = requireProgram('chromium');
const PASSWORD = 'correct-horse-42';

describe.skipIf(!hasChromium)('setup wizard and dashboard (Chromium + emulators)', () => {
  let stack: Stack;
  let web: WebServer;
  let browser: Browser;
  let device: CreateDeviceResponse;
  let led: CreateDeviceResponse;
  const ownerEmail = uniqueEmail('owner');

  beforeAll(async () => {
    stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
    web = await startWebServer({ config: runtimeConfigForStack(stack), apiUrl: stack.apiUrl });
    browser = await launchChromium();
    const operator = await operatorToken(stack.authHost!, stack.projectId);
    device = await provisionDevice(stack.apiUrl!, operator, '4Relay');
    led = await provisionDevice(stack.apiUrl!, operator, 'LED');
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await stack?.stop();
  });

  it('takes a newcomer from the QR link through sign-up, naming, claiming and Wi-Fi to the dashboard', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const link = new URL(device.setup_url);
    await page.goto(`${web.url}/setup${link.search}`);

    // The claim code leaves the address bar at once; the wizard keeps it in sessionStorage.
    await page.waitForURL(`${web.url}/setup`);
    await page.getByTestId('check-ok').getByText('บอร์ดรีเลย์ 4 ช่อง').waitFor();
    expect(await page.getByTestId('check-serial').textContent()).toBe(device.serial_number);
    await screenshot(page, 'wizard-1-check');
    await page.getByRole('button', { name: 'ถัดไป' }).click();

    // Signed out: the account step, then straight on without losing anything.
    await page.getByText('เข้าสู่ระบบหรือสร้างบัญชีเพื่อทำต่อ').waitFor();
    await screenshot(page, 'wizard-2-account');
    await page.getByLabel('อีเมล').fill(ownerEmail);
    await page.getByLabel('รหัสผ่าน').fill(PASSWORD);
    await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();

    await page.getByRole('heading', { name: 'ตั้งชื่ออุปกรณ์' }).waitFor();
    await page.getByRole('textbox', { name: 'ชื่ออุปกรณ์', exact: true }).fill('ห้องนั่งเล่น');
    await screenshot(page, 'wizard-3-name');
    await page.getByRole('button', { name: 'เพิ่มเข้าบัญชีของฉัน' }).click();

    await page.getByRole('heading', { name: 'เชื่อมต่อ Wi-Fi' }).waitFor();
    expect(await page.getByTestId('ap-name').textContent()).toBe(device.device_id);
    await page.getByRole('textbox', { name: 'ชื่อเครือข่าย Wi-Fi ที่บ้าน (SSID)', exact: true }).fill('บ้านสวน WiFi');
    await page.getByRole('button', { name: 'บันทึกชื่อเครือข่าย' }).click();
    await page.getByRole('button', { name: 'บันทึกชื่อเครือข่ายแล้ว' }).waitFor();
    await screenshot(page, 'wizard-4-wifi');

    // The SSID is in device_configs; no password anywhere in it.
    const owner = await signIn(stack.authHost!, ownerEmail, PASSWORD);
    const config = await apiGet<DeviceConfigResponse>(
      stack.apiUrl!,
      `/devices/${device.device_id}/config`,
      owner.idToken,
    );
    expect(config.wifi_ssid).toBe('บ้านสวน WiFi');
    expect(JSON.stringify(config).toLowerCase()).not.toContain('password');

    // This suite has no broker: the user defers the online wait (device-journey.test.ts waits for a real one).
    await page.getByRole('button', { name: 'ทำภายหลัง' }).click();
    await page.getByTestId('setup-done').waitFor();
    await screenshot(page, 'wizard-5-done');
    await page.getByRole('button', { name: 'ไปที่อุปกรณ์ของฉัน' }).click();

    // The dashboard lists the device live from Firestore, under its Thai name.
    await page.waitForURL(`${web.url}/`);
    const card = page.getByTestId(`device-card-${device.device_id}`);
    await card.getByText('ห้องนั่งเล่น').waitFor();
    await screenshot(page, 'dashboard-1-grid');
    await card.click();
    await page.getByTestId('device-detail').waitFor();
    await page.getByTestId('output-relay1').waitFor();
    await page.getByTestId('settings').waitFor();
    await screenshot(page, 'dashboard-2-detail');
    expect(errors).toEqual([]);
  });

  it('refuses a second user who types the serial of a claimed device, in plain words', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signup`);
    await page.getByLabel('อีเมล').fill(uniqueEmail('second'));
    await page.getByLabel('รหัสผ่าน').fill(PASSWORD);
    await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();
    await page.waitForURL(`${web.url}/`);

    await page.goto(`${web.url}/setup`);
    await page
      .getByRole('textbox', { name: 'หมายเลขเครื่อง (Serial Number)', exact: true })
      .fill(device.serial_number);
    await page.getByTestId('serial-feedback').getByText('หมายเลขเครื่องถูกต้อง').waitFor();
    await page.getByRole('button', { name: 'ถัดไป' }).click();
    await page.getByRole('alert').getByText('อุปกรณ์นี้ถูกเพิ่มเข้าบัญชีแล้ว', { exact: false }).waitFor();
    await screenshot(page, 'wizard-refused-taken');
    expect(errors).toEqual([]);
  });

  it('catches a mistyped serial as it is typed, before any request', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiCalls.push(request.url());
    });
    await page.goto(`${web.url}/setup`);
    await page.getByTestId('lang-switch').click();
    // One digit changed: the check letter no longer matches.
    const digits = device.serial_number.slice(5, 13);
    const typo = `${(Number(digits[0]) + 1) % 10}${digits.slice(1)}`;
    const letter = device.serial_number.slice(13);
    expect(computeCheckCharacter(typo)).not.toBe(letter);
    expect(SERIAL_CHECK_ALPHABET).toContain(letter);
    const input = page.getByRole('textbox', { name: 'Serial number', exact: true });
    await input.fill(`ESP32${typo}${letter}`);
    await page
      .getByTestId('serial-feedback')
      .getByText('This serial number has a typo: its last letter does not match. Check it against the label.')
      .waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, 'wizard-typo');
    expect(apiCalls).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('asks for the claim code when the serial was typed, and refuses a wrong one', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/signup`);
    await page.getByTestId('lang-switch').click();
    await page.getByRole('textbox', { name: 'Email' }).fill(uniqueEmail('typist'));
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).last().click();
    await page.waitForURL(`${web.url}/`);
    await page.getByTestId('add-device').click();

    await page.getByRole('textbox', { name: 'Serial number', exact: true }).fill(led.serial_number);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('check-ok').getByText('LED controller').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Name your device' }).waitFor();
    await page.getByRole('button', { name: 'Add to my account' }).click();
    await page
      .getByRole('alert')
      .getByText('The claim code from the label inside the box is needed', { exact: false })
      .waitFor();
    const wrong = led.claim_code.startsWith('0')
      ? `1${led.claim_code.slice(1)}`
      : `0${led.claim_code.slice(1)}`;
    await page.getByRole('textbox', { name: 'Claim code' }).fill(wrong);
    await page.getByRole('button', { name: 'Add to my account' }).click();
    await page.getByRole('alert').getByText('The claim code does not match.', { exact: false }).waitFor();
    await screenshot(page, 'wizard-refused-claim-code');
    expect(errors).toEqual([]);
  });

  it('reads the QR code from an uploaded photo of the label and claims the device', async () => {
    const errors: string[] = [];
    const page = await newPhonePage(browser, errors);
    await page.goto(`${web.url}/setup`);
    const label = await QRCode.toBuffer(led.setup_url, { type: 'png', width: 480, margin: 4 });
    await page
      .getByTestId('qr-photo')
      .setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: label });
    await page.getByTestId('check-ok').getByText('ตัวควบคุมไฟ LED').waitFor();
    expect(await page.getByTestId('check-serial').textContent()).toBe(led.serial_number);
    await page.getByRole('button', { name: 'ถัดไป' }).click();
    await page.getByLabel('อีเมล').fill(uniqueEmail('photo'));
    await page.getByLabel('รหัสผ่าน').fill(PASSWORD);
    await page.getByRole('button', { name: 'สร้างบัญชี' }).last().click();
    await page.getByRole('textbox', { name: 'ชื่ออุปกรณ์', exact: true }).fill('ไฟห้องครัว 💡');
    // The claim code came with the QR code: no field asks for it.
    expect(await page.getByRole('textbox', { name: 'รหัสยืนยัน (Claim code)' }).count()).toBe(0);
    await page.getByRole('button', { name: 'เพิ่มเข้าบัญชีของฉัน' }).click();
    await page.getByRole('heading', { name: 'เชื่อมต่อ Wi-Fi' }).waitFor();
    expect(await page.getByTestId('ap-name').textContent()).toBe(led.device_id);
    expect(errors).toEqual([]);
  });

  it('scans the QR code with the camera (a fake camera filming the label)', async () => {
    const video = join(mkdtempSync(join(tmpdir(), 'qr-camera-')), 'label.y4m');
    const spare = await provisionDevice(
      stack.apiUrl!,
      await operatorToken(stack.authHost!, stack.projectId),
      'Sensor',
    );
    writeQrVideo(video, spare.setup_url);
    const cameraBrowser = await launchChromium(FAKE_CAMERA_FLAGS(video));
    try {
      const errors: string[] = [];
      const page = await newPhonePage(cameraBrowser, errors);
      await page.goto(`${web.url}/setup`);
      await page.getByRole('button', { name: 'เปิดกล้องเพื่อสแกน' }).click();
      await page.getByTestId('check-ok').getByText('เซนเซอร์สภาพแวดล้อม').waitFor();
      expect(await page.getByTestId('check-serial').textContent()).toBe(spare.serial_number);
      // The camera is released once the code is read.
      expect(await page.locator('video').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await cameraBrowser.close();
      rmSync(dirname(video), { recursive: true, force: true });
    }
  });
});
