import { flashConfigSchema } from '@esp32cloud/protocol';
import { ProvisioningClient, type ProvisioningTransport } from '@esp32cloud/provisioning';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrokerAdmin } from '../../broker/src/admin.ts';
import { startTestBroker } from '../../broker/test/mqtt-helpers.ts';
import {
  type BleProvisioningPeripheral,
  DEFAULT_HOME_PASSWORD,
  DEFAULT_HOME_SSID,
  type ProvisioningDevice,
  startProvisioningDevice,
} from '../src/index.ts';

// The simulator's device side of Wi-Fi setup over Bluetooth: a phone-side client talks to the simulated BLE
// peripheral the way Web Bluetooth does (write the request to the endpoint's characteristic, read the reply,
// endpoints found by their 0x2901 names), and a successful join brings the device onto a real broker.

const CLAIM_CODE = '73915062';

/** Web Bluetooth's view: characteristics by user description, write then read. */
function gattTransport(peripheral: BleProvisioningPeripheral): ProvisioningTransport {
  peripheral.connected();
  const byName = new Map(
    peripheral.layout.characteristics.map((c) => [
      new TextDecoder().decode(peripheral.readUserDescription(c.uuid)),
      c.uuid,
    ]),
  );
  return {
    async send(endpoint, request) {
      const uuid = byName.get(endpoint);
      if (!uuid) throw new Error(`no ${endpoint} characteristic`);
      await peripheral.writeCharacteristic(uuid, request);
      return peripheral.readCharacteristic(uuid);
    },
  };
}

describe.each([1, 2] as const)('simulated BLE provisioning, security %i', (security) => {
  let running: Awaited<ReturnType<typeof startTestBroker>>;
  let unit: ProvisioningDevice;
  const logged: string[] = [];
  const serial = security === 1 ? 'ESP3200005551M' : 'ESP3200005552M';

  beforeAll(async () => {
    running = await startTestBroker('embedded');
    const admin = await BrokerAdmin.connect({ url: running.broker.url, ...running.broker.adminCredentials });
    await admin.addDevice({ serial, password: 'per-device-secret-from-the-factory' });
    await admin.close();
    const flash = flashConfigSchema.parse({
      serial_number: serial,
      device_id: `dev_prov${security}`,
      device_type: '4Relay',
      broker_url: running.broker.url,
      username: serial,
      password: 'per-device-secret-from-the-factory',
    });
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk, ...rest) => {
      logged.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    unit = startProvisioningDevice(flash, {
      pop: CLAIM_CODE,
      security,
      joinMs: 30,
      simulator: { msPerSecond: 10 },
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await unit?.stop();
    await running?.stop();
  });

  it('advertises its device id with the provisioning service and named endpoints', () => {
    const { layout } = unit.peripheral;
    expect(layout.advertisedName).toBe(`dev_prov${security}`);
    expect(layout.serviceUuid).toBe('90f7248e-f6f6-45e6-90a2-44709fc0f165');
    expect(layout.characteristics.map((c) => c.userDescription).sort()).toEqual([
      'proto-ver',
      'prov-config',
      'prov-scan',
      'prov-session',
    ]);
  });

  it('refuses a wrong claim code', async () => {
    await expect(
      ProvisioningClient.connect(gattTransport(unit.peripheral), '00000000'),
    ).rejects.toMatchObject({
      reason: 'wrong_pop',
    });
    expect(unit.device()).toBeNull();
  });

  it('lists its networks, fails on a wrong password and a missing network, then joins and goes online', async () => {
    const client = await ProvisioningClient.connect(gattTransport(unit.peripheral), CLAIM_CODE);
    expect(client.version.prov.sec_ver).toBe(security);
    const networks = await client.scan({ pollMs: 5 });
    expect(networks[0]).toMatchObject({ ssid: DEFAULT_HOME_SSID, secure: true });
    expect(networks.find((n) => n.ssid === 'ร้านกาแฟ Free')?.secure).toBe(false);

    await client.applyWifi(DEFAULT_HOME_SSID, 'not-the-password');
    expect(await client.waitForWifi(undefined, { pollMs: 10 })).toEqual({
      state: 'failed',
      reason: 'wrong_password',
    });
    await client.applyWifi('Not Here', 'whatever-1');
    expect(await client.waitForWifi(undefined, { pollMs: 10 })).toEqual({
      state: 'failed',
      reason: 'not_found',
    });
    expect(unit.device()).toBeNull();

    await client.applyWifi(DEFAULT_HOME_SSID, DEFAULT_HOME_PASSWORD);
    expect(await client.waitForWifi(undefined, { pollMs: 10 })).toMatchObject({ state: 'connected' });
    const device = await unit.waitOnline(10_000);
    expect(device.state().connected).toBe(true);

    // The SSID may be logged; no password, right or wrong, ever is.
    const logs = logged.join('');
    expect(logs).toContain('joined Wi-Fi');
    expect(logs).not.toContain(DEFAULT_HOME_PASSWORD);
    expect(logs).not.toContain('not-the-password');
  });
});
