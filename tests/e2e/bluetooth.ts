import type { Browser, CDPSession, Page } from 'playwright-core';
import type { BleProvisioningPeripheral } from '../../simulator/src/index.ts';

// Chromium's Bluetooth emulation (CDP BluetoothEmulation, browser-wide; DeviceAccess for the chooser) wired
// to a simulated device's BLE provisioning peripheral: the page's Web Bluetooth calls become GATT operations
// here, which the simulator answers in Node. Linux Chromium exposes navigator.bluetooth only with
// experimental web platform features, hence BLUETOOTH_FLAGS.

export const BLUETOOTH_FLAGS = ['--enable-experimental-web-platform-features'];

const ADDRESS = '0A:E5:32:C1:00:01';
const OK = 0;

export interface EmulatedBluetooth {
  /** Every characteristic write the page made, as the endpoint it went to and its bytes (base64). */
  writes: Array<{ endpoint: string; data: string }>;
  stop(): Promise<void>;
}

/** Powers an emulated adapter on and makes the peripheral connectable and choosable from `page`. */
export async function emulateBluetooth(
  browser: Browser,
  page: Page,
  peripheral: BleProvisioningPeripheral,
): Promise<EmulatedBluetooth> {
  const central: CDPSession = await browser.newBrowserCDPSession();
  const chooser: CDPSession = await page.context().newCDPSession(page);
  const { layout } = peripheral;
  const writes: EmulatedBluetooth['writes'] = [];
  const characteristicById = new Map<string, (typeof layout.characteristics)[number]>();
  const characteristicByDescriptor = new Map<string, string>();
  const answered = new Set<string>();
  const failures: unknown[] = [];
  const safely =
    <T>(handler: (event: T) => Promise<void>) =>
    (event: T) =>
      void handler(event).catch((error) => failures.push(error));

  await central.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
  await central.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
    address: ADDRESS,
    name: layout.advertisedName,
    manufacturerData: [],
    knownServiceUuids: [layout.serviceUuid],
  });
  const { serviceId } = await central.send('BluetoothEmulation.addService', {
    address: ADDRESS,
    serviceUuid: layout.serviceUuid,
  });
  for (const characteristic of layout.characteristics) {
    const { characteristicId } = await central.send('BluetoothEmulation.addCharacteristic', {
      serviceId,
      characteristicUuid: characteristic.uuid,
      properties: characteristic.properties,
    });
    characteristicById.set(characteristicId, characteristic);
    const { descriptorId } = await central.send('BluetoothEmulation.addDescriptor', {
      characteristicId,
      descriptorUuid: layout.descriptorUuid,
    });
    characteristicByDescriptor.set(descriptorId, characteristic.uuid);
  }

  central.on(
    'BluetoothEmulation.gattOperationReceived',
    safely(async (event) => {
      if (event.type === 'connection') peripheral.connected();
      await central.send('BluetoothEmulation.simulateGATTOperationResponse', {
        address: event.address,
        type: event.type,
        code: OK,
      });
    }),
  );
  central.on(
    'BluetoothEmulation.characteristicOperationReceived',
    safely(async (event) => {
      const characteristic = characteristicById.get(event.characteristicId);
      if (!characteristic) throw new Error(`unknown characteristic ${event.characteristicId}`);
      if (event.type === 'write') {
        writes.push({ endpoint: characteristic.endpoint, data: event.data ?? '' });
        await peripheral.writeCharacteristic(characteristic.uuid, Buffer.from(event.data ?? '', 'base64'));
        await central.send('BluetoothEmulation.simulateCharacteristicOperationResponse', {
          characteristicId: event.characteristicId,
          type: 'write',
          code: OK,
        });
      } else if (event.type === 'read') {
        await central.send('BluetoothEmulation.simulateCharacteristicOperationResponse', {
          characteristicId: event.characteristicId,
          type: 'read',
          code: OK,
          data: Buffer.from(peripheral.readCharacteristic(characteristic.uuid)).toString('base64'),
        });
      }
    }),
  );
  central.on(
    'BluetoothEmulation.descriptorOperationReceived',
    safely(async (event) => {
      const uuid = characteristicByDescriptor.get(event.descriptorId);
      if (!uuid || event.type !== 'read') throw new Error(`unexpected descriptor operation ${event.type}`);
      await central.send('BluetoothEmulation.simulateDescriptorOperationResponse', {
        descriptorId: event.descriptorId,
        type: 'read',
        code: OK,
        data: Buffer.from(peripheral.readUserDescription(uuid)).toString('base64'),
      });
    }),
  );

  // The chooser: pick our peripheral once it is listed (the prompt may be announced more than once).
  await chooser.send('DeviceAccess.enable');
  chooser.on(
    'DeviceAccess.deviceRequestPrompted',
    safely(async (event) => {
      const device = event.devices.find((d) => d.id.toUpperCase() === ADDRESS);
      if (!device || answered.has(event.id)) return;
      answered.add(event.id);
      await chooser.send('DeviceAccess.selectPrompt', { id: event.id, deviceId: device.id });
    }),
  );

  return {
    writes,
    async stop() {
      await central.send('BluetoothEmulation.disable').catch(() => undefined);
      await central.detach().catch(() => undefined);
      await chooser.detach().catch(() => undefined);
      if (failures.length) throw failures[0];
    },
  };
}
