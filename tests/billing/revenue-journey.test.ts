import { execFile } from 'node:child_process';
import { waitFor } from '@esp32cloud/broker/testing';
import { type CreateDeviceResponse, DEFAULT_PLANS } from '@esp32cloud/protocol';
import { type SimulatedDevice, startSimulatedDevice } from '@esp32cloud/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  functionsBillingEnv,
  type StripeStandin,
  startLocalStripeStandin,
} from '../../tools/stripe-standin/src/index.ts';
import { operatorToken, provisionDevice } from '../e2e/operator.ts';
import { signUp, type TestUser } from '../harness/auth.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { seedOwnedDevices } from '../harness/owned-devices.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';
import { freePort } from '../harness/ports.ts';
import { requireProgram } from '../harness/programs.ts';

// Issue 16's "done when", in one run through every real part: a Free customer at the device limit is refused
// the sixth device (plan_limit, upgrade to Pro) and an API key; pays on the Stripe stand-in's Checkout page,
// whose signed webhook makes the account Pro; claims the sixth device; creates a control-scoped API key; and
// drives the relay with the curl program, as a business customer's script would. The simulated ESP32 switches
// and its ack reaches Firestore through the broker and the bridge (tests/harness/platform.ts).

const kind = brokerUnderTest('revenue journey');
const hasCurl = requireProgram('curl');

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely by the assertions.
type Json = any;

describe.skipIf(!hasCurl)(
  `revenue journey: limit → Checkout → claim → API key → curl (${kind} broker)`,
  () => {
    let standin: StripeStandin;
    let platform: Platform;
    let device: SimulatedDevice | undefined;
    let sixth: CreateDeviceResponse;
    let customer: TestUser;
    const api = (method: string, path: string, credential: string, body?: unknown) =>
      platform.api(method, path, credential, body);
    const db = () => platform.db;

    /**
     * The curl program, not fetch: status code on the last line of its output. Asynchronous, because the
     * Firestore emulator answering the API runs in this process.
     */
    const curl = async (method: string, path: string, key: string, body?: unknown) => {
      const args = [
        '--silent',
        '--show-error',
        '--max-time',
        '30',
        '-X',
        method,
        `${platform.stack.apiUrl}/api${path}`,
        '-H',
        `Authorization: Bearer ${key}`,
        ...(body === undefined ? [] : ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)]),
        '-w',
        '\n%{http_code}',
      ];
      const run = await new Promise<{ exit: number; stdout: string; stderr: string }>((resolve) =>
        execFile('curl', args, { encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ exit: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(run.exit, run.stderr).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      const text = lines.join('\n');
      return { status, body: (text ? JSON.parse(text) : null) as Json };
    };

    beforeAll(async () => {
      standin = await startLocalStripeStandin({ host: '127.0.0.1', port: await freePort() });
      platform = await startPlatform({ kind, functionsEnv: functionsBillingEnv(standin) });
      const { stack } = platform;
      standin.setWebhookUrl(`${stack.apiUrl}/billing/webhook`);
      const operator = await operatorToken(stack.authHost as string, stack.projectId);
      sixth = await provisionDevice(stack.apiUrl as string, operator, '4Relay');
      customer = await signUp(stack.authHost as string);
      await seedOwnedDevices(db(), customer.uid, DEFAULT_PLANS.free.entitlements.devices, { prefix: 'REV' });
    }, 300_000);

    afterAll(async () => {
      await device?.stop({ graceful: false });
      await platform?.stop();
      await standin?.stop();
    });

    const claimSixth = () =>
      api('POST', '/devices/register', customer.idToken, {
        serial_number: sixth.serial_number,
        claim_code: sixth.claim_code,
        device_name: 'ปั๊มน้ำสวนหลังบ้าน',
      });

    it('Free at the limit: the sixth device and an API key are refused with the plan that lifts them', async () => {
      const refused = await claimSixth();
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        code: 'plan_limit',
        details: { limit: 'devices', allowed: 5, plan: 'free', upgradeTo: 'pro' },
      });
      const noKey = await api('POST', `/users/${customer.uid}/api-keys`, customer.idToken, {
        name: 'farm script',
        scope: 'control',
      });
      expect(noKey.status).toBe(403);
      expect(noKey.body.error).toMatchObject({ code: 'plan_limit', details: { upgradeTo: 'pro' } });
    });

    it('pays on the stand-in Checkout page; its signed webhook makes the account Pro', async () => {
      const checkout = await api('POST', '/billing/checkout', customer.idToken, { plan: 'pro' });
      expect(checkout.status).toBe(200);
      expect(checkout.body.url).toMatch(new RegExp(`^${standin.url}/checkout/cs_test_`));
      const paid = await fetch(`${checkout.body.url}/pay`, { method: 'POST', redirect: 'manual' });
      expect(paid.status).toBe(303);
      await waitFor(
        async () => (await db().doc(`users/${customer.uid}`).get()).get('plan') === 'pro',
        20_000,
        'plan pro',
      );
      const account = await api('GET', '/billing/account', customer.idToken);
      expect(account.body).toMatchObject({ plan: 'pro', billing: { status: 'active' } });
    });

    it('claims the sixth device, creates a control key, and curl switches the relay on the ESP32', async () => {
      expect((await claimSixth()).status).toBe(201);
      device = startSimulatedDevice(sixth.flash_config, { brokerUrl: platform.broker.url });
      await device.waitConnected(10_000);
      await waitFor(
        async () => (await db().doc(`devices/${sixth.device_id}`).get()).get('state.online') === true,
        20_000,
        'online',
      );

      const key = await api('POST', `/users/${customer.uid}/api-keys`, customer.idToken, {
        name: 'farm script',
        scope: 'control',
        device_ids: [sixth.device_id],
        expires_in_days: 30,
      });
      expect(key.status).toBe(201);
      const secret: string = key.body.api_key;
      expect(secret).toMatch(/^e32k_/);

      const sent = await curl('POST', `/devices/${sixth.device_id}/control`, secret, {
        command: 'relay',
        pin: 25,
        state: 'on',
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      await waitFor(() => device?.state().outputs.relay1 === true, 15_000, 'relay on at the device');
      await waitFor(
        async () =>
          (await db().doc(`devices/${sixth.device_id}/commands/${sent.body.command_id}`).get()).get(
            'status',
          ) === 'acked',
        15_000,
        'acked in Firestore',
      );
      const status = await curl('GET', `/devices/${sixth.device_id}/status`, secret);
      expect(status.status).toBe(200);
      expect(JSON.stringify(status.body)).toContain('relay1');

      // The key reaches only what it was made for: another of the customer's devices is not there for it.
      const other = await curl('GET', `/devices/${await seededId()}/status`, secret);
      expect(other.status).toBe(404);
      expect(
        (await curl('POST', `/devices/${sixth.device_id}/control`, 'e32k_not-a-real-key', {})).status,
      ).toBe(401);
    });

    const seededId = async () =>
      (await db().collection('devices').where('owner_uid', '==', customer.uid).get()).docs
        .map((d) => d.id)
        .find((id) => id !== sixth.device_id) as string;
  },
);
