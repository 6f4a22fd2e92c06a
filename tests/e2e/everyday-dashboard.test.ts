import { th } from '@esp32cloud/hosting/i18n/th';
import type { CreateDeviceResponse } from '@esp32cloud/protocol';
import type { SimulatedDevice } from '@esp32cloud/simulator';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { signUp, signUpVerified, type TestUser, uniqueEmail } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { requireProgram } from '../harness/programs.ts';
import { call } from '../registry/helpers.ts';
import { newPhonePage, screenshot } from './browser.ts';
import { type DeviceStack, startDeviceStack } from './device-stack.ts';

// Issue 19, everyday use, through every real part (api function, broker, bridge, simulated devices, Chromium):
//  - the rooms API: validation, who may set a room, "all off in this room" with one result per device;
//  - a dashboard card's relay toggle round-trips through the simulator (pending → acknowledged);
//  - rooms set from the device page, filtered on the dashboard, "all off" from the dashboard;
//  - a shared user sees the owner's rooms;
//  - the keyboard alone: sign in, switch a relay from its card, open the device, share it.

const hasChromium = requireProgram('chromium');
const brokerKind = brokerUnderTest('everyday dashboard');
const LIVING = 'ห้องนั่งเล่น 🛋️';
const KITCHEN = 'ห้องครัว';

describe.skipIf(!hasChromium)(
  `everyday dashboard (Chromium, ${brokerKind} broker, bridge, simulator)`,
  () => {
    let world: DeviceStack;
    let browser: Browser;
    let owner: TestUser;
    let friend: TestUser;
    let stranger: TestUser;
    let relayA: CreateDeviceResponse;
    let relayB: CreateDeviceResponse;
    let led: CreateDeviceResponse;
    let simA: SimulatedDevice;
    let simB: SimulatedDevice;

    const api = (method: string, route: string, token: string, body?: unknown) =>
      call(world.stack.apiUrl!, method, route, { token, body });

    async function claim(device: CreateDeviceResponse, name: string): Promise<void> {
      const answer = await api('POST', '/devices/register', owner.idToken, {
        serial_number: device.serial_number,
        claim_code: device.claim_code,
        device_name: name,
      });
      expect(answer.status).toBe(201);
    }

    async function signInPage(page: Page, user: TestUser): Promise<void> {
      await page.goto(`${world.web.url}/signin`);
      await page.getByRole('textbox', { name: 'อีเมล' }).fill(user.email);
      await page.getByRole('textbox', { name: 'รหัสผ่าน' }).fill(user.password);
      await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).last().click();
      await page.waitForURL(`${world.web.url}/`);
    }

    beforeAll(async () => {
      world = await startDeviceStack(brokerKind);
      browser = await launchChromium();
      [relayA, relayB, led] = await Promise.all([
        world.provision('4Relay'),
        world.provision('4Relay'),
        world.provision('LED'),
      ]);
      owner = await signUp(world.stack.authHost!, uniqueEmail('everyday-owner'));
      friend = await signUpVerified(world.stack.authHost!, world.stack.projectId);
      stranger = await signUp(world.stack.authHost!, uniqueEmail('everyday-stranger'));
      await claim(relayA, 'โคมไฟ');
      await claim(relayB, 'พัดลม');
      await claim(led, 'ไฟเส้น LED');
      simA = await world.plugIn(relayA);
      simB = await world.plugIn(relayB);
      // The LED controller stays unplugged (offline).
      for (const [device, level] of [
        [relayA, 'controller'],
        [relayB, 'viewer'],
      ] as const) {
        const shared = await api('POST', `/devices/${device.device_id}/shares`, owner.idToken, {
          email: friend.email,
          access_level: level,
        });
        expect(shared.status).toBe(201);
      }
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await world?.stop();
    });

    describe('rooms API', () => {
      it('refuses a bad room name with a clear error and changes nothing', async () => {
        for (const room of ['', '   ', 'a\u0007b', 'x'.repeat(41), 5, 'left\u202eright']) {
          const answer = await api('PUT', `/devices/${relayA.device_id}/room`, owner.idToken, { room });
          expect(answer.status, JSON.stringify(room)).toBe(400);
          expect(answer.body.error.code).toBe('invalid_argument');
        }
        const extra = await api('PUT', `/devices/${relayA.device_id}/room`, owner.idToken, {
          room: 'x',
          owner_uid: 'someone',
        });
        expect(extra.status).toBe(400);
      });

      it('lets only the owner set a room (controller 403, stranger 404)', async () => {
        const byController = await api('PUT', `/devices/${relayA.device_id}/room`, friend.idToken, {
          room: 'ของฉัน',
        });
        expect(byController.status).toBe(403);
        const byStranger = await api('PUT', `/devices/${relayA.device_id}/room`, stranger.idToken, {
          room: 'ของฉัน',
        });
        expect(byStranger.status).toBe(404);
        for (const device of [relayA, relayB, led]) {
          const set = await api('PUT', `/devices/${device.device_id}/room`, owner.idToken, {
            room: `  ${LIVING.normalize('NFD')} `,
          });
          expect(set.status).toBe(200);
          // Stored NFC-normalized and trimmed, so the same name typed twice is one room.
          expect(set.body).toEqual({ device_id: device.device_id, room: LIVING });
        }
      });

      it('answers all off per device for a controller: sent, not allowed (viewer link)', async () => {
        const answer = await api('POST', '/rooms/off', friend.idToken, { room: LIVING });
        expect(answer.status).toBe(200);
        const results = Object.fromEntries(
          (answer.body.devices as Array<{ device_id: string; result: string }>).map((d) => [
            d.device_id,
            d.result,
          ]),
        );
        // The LED controller is not shared with the friend: not listed at all.
        expect(results).toEqual({ [relayA.device_id]: 'sent', [relayB.device_id]: 'not_allowed' });
      });

      it('says which room is unknown, and validates the body', async () => {
        const unknown = await api('POST', '/rooms/off', owner.idToken, { room: 'ห้องที่ไม่มี' });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.code).toBe('room_not_found');
        const bad = await api('POST', '/rooms/off', owner.idToken, { room: '' });
        expect(bad.status).toBe(400);
        const anonymous = await call(world.stack.apiUrl!, 'POST', '/rooms/off', { body: { room: LIVING } });
        expect(anonymous.status).toBe(401);
      });
    });

    describe('in the browser', () => {
      it('switches relay 1 from its dashboard card through the simulator, pending until acknowledged', async () => {
        const errors: string[] = [];
        const page = await newPhonePage(browser, errors);
        await signInPage(page, owner);
        const card = `[data-testid="device-card-${relayA.device_id}"][data-online="true"]`;
        await page.locator(card).waitFor({ timeout: 30_000 });
        const toggle = page.getByTestId(`quick-${relayA.device_id}-relay1`);
        const before = simA.state().outputs.relay1 === true;
        expect(await toggle.getAttribute('aria-pressed')).toBe(String(before));
        await toggle.click();
        await page
          .locator(
            `[data-testid="quick-${relayA.device_id}-relay1"][aria-pressed="${!before}"][data-pending="false"]`,
          )
          .waitFor({ timeout: 30_000 });
        expect(simA.state().outputs.relay1).toBe(!before);
        await screenshot(page, 'everyday-1-card-toggle');
        expect(errors).toEqual([]);
        await page.context().close();
      });

      it('moves a device to another room from its page, filters by room, and turns a room off', async () => {
        const errors: string[] = [];
        const page = await newPhonePage(browser, errors);
        await signInPage(page, owner);
        // Relay B's relay 2 on, so "all off" has something to do.
        const on = await api('POST', `/devices/${relayB.device_id}/control`, owner.idToken, {
          command: 'relay',
          relay: 2,
          state: 'on',
        });
        expect(on.status).toBe(202);
        await page.getByTestId(`device-card-${relayB.device_id}`).click();
        const setting = page.getByTestId('room-setting');
        await setting.getByRole('textbox', { name: th['room.label'] }).fill(KITCHEN);
        await setting.getByRole('button', { name: th['room.save'] }).click();
        await setting.getByRole('status').getByText(th['room.saved'].replace('{room}', KITCHEN)).waitFor();
        await page.getByTestId('device-room').getByText(KITCHEN).waitFor();
        await page.goBack();

        await page.getByTestId(`device-room-${relayB.device_id}`).getByText(KITCHEN).waitFor();
        await page.getByTestId('room-filter').selectOption(KITCHEN);
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid^="device-card-"]').length === 1,
        );
        await page.getByTestId('room-filter').selectOption(LIVING);
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid^="device-card-"]').length === 2,
        );

        // Put relay B back and turn the whole living room off.
        const back = await api('PUT', `/devices/${relayB.device_id}/room`, owner.idToken, { room: LIVING });
        expect(back.status).toBe(200);
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid^="device-card-"]').length === 3,
        );
        await expect.poll(() => simB.state().outputs.relay2, { timeout: 20_000 }).toBe(true);
        await page.getByTestId('room-off-button').click();
        const result = (id: string) => page.getByTestId(`room-off-result-${id}`);
        await result(relayA.device_id).waitFor();
        expect(await result(relayA.device_id).getAttribute('data-result')).toBe('sent');
        expect(await result(relayB.device_id).getAttribute('data-result')).toBe('sent');
        expect(await result(led.device_id).getAttribute('data-result')).toBe('offline');
        await expect
          .poll(() => [...Object.values(simA.state().outputs), ...Object.values(simB.state().outputs)], {
            timeout: 20_000,
          })
          .toEqual(Array(8).fill(false));
        // The cards follow: every relay toggle of the room shows off.
        await page.waitForFunction(
          (ids) =>
            ids.every((id) =>
              [1, 2, 3, 4].every(
                (n) =>
                  document
                    .querySelector(`[data-testid="quick-${id}-relay${n}"]`)
                    ?.getAttribute('aria-pressed') === 'false',
              ),
            ),
          [relayA.device_id, relayB.device_id],
        );
        await screenshot(page, 'everyday-2-room-all-off');
        expect(errors).toEqual([]);
        await page.context().close();
      });

      it("shows a shared user the owner's rooms", async () => {
        const errors: string[] = [];
        const page = await newPhonePage(browser, errors);
        await signInPage(page, friend);
        await page.getByTestId(`device-room-${relayA.device_id}`).getByText(LIVING).waitFor();
        await page.getByTestId(`device-room-${relayB.device_id}`).getByText(LIVING).waitFor();
        // A viewer's card has no controls; a controller's has.
        expect(await page.getByTestId(`quick-${relayB.device_id}-relay1`).count()).toBe(0);
        expect(await page.getByTestId(`quick-${relayA.device_id}-relay1`).count()).toBe(1);
        expect(errors).toEqual([]);
        await page.context().close();
      });

      it('works with the keyboard alone: sign in, switch from a card, open the device, share it', async () => {
        const errors: string[] = [];
        const page = await newPhonePage(browser, errors);
        const press = (key: string) => page.keyboard.press(key);
        const focused = () =>
          page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            return `${el?.tagName ?? ''} ${el?.getAttribute('data-testid') ?? ''} ${el?.textContent ?? ''}`;
          });
        /** Tabs forward until the focused element matches, at most `limit` times. */
        async function tabTo(test: (text: string) => boolean, limit = 60): Promise<void> {
          for (let i = 0; i < limit; i++) {
            await press('Tab');
            if (test(await focused())) return;
          }
          throw new Error(`never focused; last: ${await focused()}`);
        }

        await page.goto(`${world.web.url}/signin`);
        await tabTo((f) => f.startsWith('INPUT'));
        await page.keyboard.type(owner.email);
        await press('Tab');
        await page.keyboard.type(owner.password);
        await press('Enter');
        await page.waitForURL(`${world.web.url}/`);
        await page.locator(`[data-testid="device-card-${relayA.device_id}"][data-online="true"]`).waitFor();

        const quick = `quick-${relayA.device_id}-relay3`;
        await tabTo((f) => f.includes(quick));
        await press('Space');
        await page
          .locator(`[data-testid="${quick}"][aria-pressed="true"][data-pending="false"]`)
          .waitFor({ timeout: 30_000 });
        expect(simA.state().outputs.relay3).toBe(true);

        await page.keyboard.down('Shift');
        await tabTo((f) => f.includes(`device-card-${relayA.device_id}`));
        await page.keyboard.up('Shift');
        await press('Enter');
        await page.getByTestId('device-detail').waitFor();

        // Tab until the share email field has focus, type, and submit with Enter.
        const neighbour = await signUpVerified(world.stack.authHost!, world.stack.projectId);
        const email = page.getByTestId('sharing').getByRole('textbox', { name: th['share.email'] });
        await email.waitFor();
        let reached = false;
        for (let i = 0; i < 80 && !reached; i++) {
          await press('Tab');
          reached = await email.evaluate((el) => el === document.activeElement);
        }
        expect(reached).toBe(true);
        await page.keyboard.type(neighbour.email);
        await press('Enter');
        await page
          .getByTestId('sharing')
          .getByRole('status')
          .getByText(th['share.added'].replace('{email}', neighbour.email))
          .waitFor();
        expect(errors).toEqual([]);
        await page.context().close();
      });
    });
  },
);
