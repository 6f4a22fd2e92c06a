import { describe, expect, it } from 'vitest';
import {
  characteristicUuid,
  type DeviceSecurityConfig,
  ENDPOINT_NAMES,
  fromHex,
  PROVISIONING_SERVICE_UUID,
  ProvisioningClient,
  ProvisioningResponder,
  type ProvisioningTransport,
  srpVerifier,
  utf8,
  type WifiCredentials,
  type WifiStation,
} from '../src/index.ts';

// The web client against the device-side responder over an in-memory transport: scan, credentials, the
// three outcomes, a retry after a wrong password, and the transport's rules (no session, no answer).

const POP = '482915';
const salt = fromHex('5a17c0ffee5a17c0ffee5a17c0ffee00');

const stationJoins: WifiCredentials[] = [];
const station: WifiStation = {
  async scan() {
    return [
      { ssid: utf8('Neighbour'), channel: 11, rssi: -80, bssid: new Uint8Array(6), auth: 3 },
      {
        ssid: utf8('บ้านสวน WiFi'),
        channel: 6,
        rssi: -48,
        bssid: new Uint8Array([1, 2, 3, 4, 5, 6]),
        auth: 3,
      },
      { ssid: utf8('Cafe'), channel: 1, rssi: -67, bssid: new Uint8Array(6), auth: 0 },
      { ssid: utf8('บ้านสวน WiFi'), channel: 1, rssi: -70, bssid: new Uint8Array(6), auth: 3 },
      { ssid: utf8('Office'), channel: 3, rssi: -60, bssid: new Uint8Array(6), auth: 7 },
    ];
  },
  async connect(credentials) {
    stationJoins.push(credentials);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (credentials.ssid === 'บ้านสวน WiFi')
      return credentials.password === 'correct horse'
        ? { ok: true, ip: '192.168.1.23' }
        : { ok: false, reason: 'wrong_password' };
    return { ok: false, reason: 'not_found' };
  },
};

function memoryTransport(responder: ProvisioningResponder): ProvisioningTransport & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    async send(endpoint, request) {
      log.push(`${endpoint}:${new TextDecoder('latin1').decode(request)}`);
      return responder.handle(endpoint, request);
    },
  };
}

const SECURITIES: Array<[string, DeviceSecurityConfig]> = [
  ['security 1', { security: 1, pop: POP }],
  [
    'security 2',
    {
      security: 2,
      username: 'wifiprov',
      salt,
      verifier: srpVerifier(salt, 'wifiprov', POP),
      patchVersion: 1,
    },
  ],
];

describe.each(SECURITIES)('client and responder over %s', (_name, security) => {
  it('reads the version, scans, joins with the right password after a wrong one', async () => {
    const responder = new ProvisioningResponder({
      security,
      station,
      appInfo: { esp32cloud: { ver: 'v1' } },
    });
    const transport = memoryTransport(responder);
    const client = await ProvisioningClient.connect(transport, POP);
    expect(client.version.prov).toMatchObject({
      ver: 'v1.1',
      sec_ver: security.security,
      cap: ['wifi_scan'],
    });
    expect(client.version.esp32cloud).toEqual({ ver: 'v1' });

    const networks = await client.scan({ pollMs: 1 });
    expect(networks.map((n) => n.ssid)).toEqual(['บ้านสวน WiFi', 'Office', 'Cafe', 'Neighbour']);
    expect(networks[0]).toMatchObject({ rssi: -48, channel: 6, secure: true, bssid: '010203040506' });
    expect(networks.find((n) => n.ssid === 'Cafe')?.secure).toBe(false);

    const progress: string[] = [];
    await client.applyWifi('บ้านสวน WiFi', 'wrong horse');
    expect(await client.waitForWifi((s) => progress.push(s.state), { pollMs: 5 })).toEqual({
      state: 'failed',
      reason: 'wrong_password',
    });
    expect(progress[0]).toBe('connecting');

    await client.applyWifi('บ้านสวน WiFi', 'correct horse');
    expect(await client.waitForWifi(undefined, { pollMs: 5 })).toEqual({
      state: 'connected',
      ip: '192.168.1.23',
    });
    expect(responder.state).toEqual({ state: 'connected', ip: '192.168.1.23', ssid: 'บ้านสวน WiFi' });
    expect(stationJoins.at(-1)).toEqual({ ssid: 'บ้านสวน WiFi', password: 'correct horse' });

    // The password never crossed the transport in the clear.
    expect(transport.log.join('\n')).not.toContain('correct horse');
    expect(transport.log.join('\n')).not.toContain('wrong horse');
  });

  it('reports a network that is not there', async () => {
    const client = await ProvisioningClient.connect(
      memoryTransport(new ProvisioningResponder({ security, station })),
      POP,
    );
    await client.applyWifi('Gone', 'whatever1');
    expect(await client.waitForWifi(undefined, { pollMs: 5 })).toEqual({
      state: 'failed',
      reason: 'not_found',
    });
  });

  it('refuses the wrong PoP, and answers nothing on the Wi-Fi endpoints without a session', async () => {
    const responder = new ProvisioningResponder({ security, station });
    await expect(ProvisioningClient.connect(memoryTransport(responder), '000000')).rejects.toMatchObject({
      reason: 'wrong_pop',
    });
    expect((await responder.handle('prov-config', new Uint8Array([8, 0]))).length).toBe(0);
    expect(responder.state).toEqual({ state: 'idle' });
  });
});

describe('BLE layout', () => {
  it('derives each endpoint characteristic from the service UUID, as ESP-IDF does', () => {
    expect(PROVISIONING_SERVICE_UUID).toBe('90f7248e-f6f6-45e6-90a2-44709fc0f165');
    expect(ENDPOINT_NAMES.map((name) => [name, characteristicUuid(name)])).toEqual([
      ['prov-scan', '90f7ff50-f6f6-45e6-90a2-44709fc0f165'],
      ['prov-session', '90f7ff51-f6f6-45e6-90a2-44709fc0f165'],
      ['prov-config', '90f7ff52-f6f6-45e6-90a2-44709fc0f165'],
      ['proto-ver', '90f7ff53-f6f6-45e6-90a2-44709fc0f165'],
    ]);
    // ESP-IDF's example service gives the characteristics its apps look for.
    expect(characteristicUuid('prov-session', '021a9004-0382-4aea-bff4-6b3f1c5adfb4')).toBe(
      '021aff51-0382-4aea-bff4-6b3f1c5adfb4',
    );
  });
});
