import { readFileSync } from 'node:fs';
import { flashConfigSchema, normalizeClaimCode } from '@esp32cloud/protocol';
import {
  DEFAULT_SEC2_USERNAME,
  ENDPOINTS,
  fromUtf8,
  ProvisioningClient,
  utf8,
  WifiConnectFailedReason,
  WifiStationState,
} from '@esp32cloud/provisioning';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProvisioningDevice, startProvisioningDevice } from '../src/index.ts';

// Section 7 of docs/DEVICE_PROTOCOL.md (Wi-Fi setup over Bluetooth) against the simulator's provisioning
// responder: the advertised name, the service and characteristic UUIDs, the endpoint names, the proto-ver
// JSON, the security parameters, the PoP and the outcome names are what the simulator really does.

const doc = readFileSync(new URL('../../docs/DEVICE_PROTOCOL.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## 7. Wi-Fi setup over Bluetooth'));
const flash = flashConfigSchema.parse(JSON.parse(/```json flash\n([\s\S]*?)```/.exec(doc)![1]));
const LABEL_CODE = 'ab1de-23o45';

describe('docs/DEVICE_PROTOCOL.md section 7 (provisioning)', () => {
  const units: ProvisioningDevice[] = [];
  const start = (security: 1 | 2) => {
    const unit = startProvisioningDevice(flash, { pop: normalizeClaimCode(LABEL_CODE), security });
    units.push(unit);
    return unit;
  };
  afterAll(async () => {
    for (const unit of units) await unit.stop();
  });

  it('lists the service and every endpoint characteristic the simulator exposes, by name and UUID', () => {
    expect(section.length).toBeGreaterThan(1000);
    const { layout } = start(2).peripheral;
    expect(layout.advertisedName).toBe(flash.device_id);
    expect(section).toContain(`| service (our sdkconfig)   | \`${layout.serviceUuid}\` |`);
    for (const characteristic of layout.characteristics) {
      const number = `0x${ENDPOINTS[characteristic.endpoint].toString(16)}`;
      expect(section).toMatch(
        new RegExp(
          `\\| \`${characteristic.userDescription}\` \\(\`${number}\`\\) +\\| \`${characteristic.uuid}\` \\|`,
        ),
      );
    }
    expect(layout.descriptorUuid.slice(4, 8)).toBe('2901');
    expect(section).toContain('(`0x2901`)');
  });

  it('shows the proto-ver JSON the simulator answers (security 2), and security 1 differs only in sec_ver', async () => {
    const example = JSON.parse(/```json proto-ver\n([\s\S]*?)```/.exec(section)![1]);
    const answer = (unit: ProvisioningDevice) =>
      unit.responder.handle('proto-ver', utf8('---')).then((reply) => JSON.parse(fromUtf8(reply)));
    expect(await answer(start(2))).toEqual(example);
    expect(await answer(start(1))).toEqual({
      ...example,
      prov: { ...example.prov, sec_ver: 1, sec_patch_ver: 0 },
    });
  });

  it('names the security parameters the responder uses, and the claim code as PoP works as documented', async () => {
    expect(section).toContain(`username \`${DEFAULT_SEC2_USERNAME}\``);
    expect(section).toContain('3072-bit group, g = 5, SHA-512');
    expect(section).toContain('normalizeClaimCode');
    for (const security of [1, 2] as const) {
      const { peripheral } = start(security);
      peripheral.connected();
      const uuids = new Map(peripheral.layout.characteristics.map((c) => [c.endpoint, c.uuid]));
      const client = await ProvisioningClient.connect(
        {
          async send(endpoint, request) {
            await peripheral.writeCharacteristic(uuids.get(endpoint)!, request);
            return peripheral.readCharacteristic(uuids.get(endpoint)!);
          },
        },
        normalizeClaimCode(LABEL_CODE),
      );
      expect(client.version.prov.sec_ver).toBe(security);
    }
  });

  it('names the station states and failure reasons of the Wi-Fi outcome', () => {
    for (const name of [...Object.keys(WifiStationState), ...Object.keys(WifiConnectFailedReason)])
      expect(section, name).toContain(`\`${name}\``);
  });
});
