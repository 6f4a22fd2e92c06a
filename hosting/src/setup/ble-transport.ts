import {
  characteristicUuid,
  ENDPOINT_NAMES,
  type EndpointName,
  PROVISIONING_SERVICE_UUID,
  type ProvisioningTransport,
} from '@esp32cloud/provisioning';

// The provisioning endpoints over Web Bluetooth GATT: pick the device by its advertised name (its device id),
// find each endpoint's characteristic by its 0x2901 user description (ESP-IDF's advice; the derived UUIDs
// are the fallback), write a request and read the reply.

// The few Web Bluetooth types used here (TypeScript's DOM library has none).
interface GattDescriptor {
  readValue(): Promise<DataView>;
}
interface GattCharacteristic {
  uuid: string;
  getDescriptor(uuid: number | string): Promise<GattDescriptor>;
  writeValueWithResponse(value: BufferSource): Promise<void>;
  readValue(): Promise<DataView>;
}
interface GattService {
  getCharacteristics(): Promise<GattCharacteristic[]>;
}
interface GattServer {
  connected: boolean;
  connect(): Promise<GattServer>;
  disconnect(): void;
  getPrimaryService(uuid: string): Promise<GattService>;
}
interface BluetoothDevice extends EventTarget {
  name?: string;
  gatt?: GattServer;
}
interface Bluetooth {
  getAvailability?(): Promise<boolean>;
  requestDevice(options: {
    filters: Array<{ name?: string; services?: string[] }>;
    optionalServices?: string[];
  }): Promise<BluetoothDevice>;
}

export interface BleLink extends ProvisioningTransport {
  disconnect(): void;
  onDisconnected(listener: () => void): void;
}

const USER_DESCRIPTION = 0x2901;

function bytesOf(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

async function endpointName(characteristic: GattCharacteristic): Promise<string | null> {
  try {
    return new TextDecoder().decode(
      bytesOf(await (await characteristic.getDescriptor(USER_DESCRIPTION)).readValue()),
    );
  } catch {
    return null;
  }
}

/** False when the phone or computer has no Bluetooth adapter, or it is off (unknown counts as available). */
export async function bluetoothAvailable(): Promise<boolean> {
  const bluetooth = (navigator as unknown as { bluetooth: Bluetooth }).bluetooth;
  try {
    return (await bluetooth.getAvailability?.()) ?? true;
  } catch {
    return true;
  }
}

/** Opens the browser's device chooser (needs a click), connects and maps the endpoints. */
export async function connectBle(deviceId: string): Promise<BleLink> {
  const bluetooth = (navigator as unknown as { bluetooth: Bluetooth }).bluetooth;
  const device = await bluetooth.requestDevice({
    filters: [{ name: deviceId }],
    optionalServices: [PROVISIONING_SERVICE_UUID],
  });
  const server = device.gatt;
  if (!server) throw new Error('this Bluetooth device has no GATT server');
  await server.connect();
  const service = await server.getPrimaryService(PROVISIONING_SERVICE_UUID);
  const characteristics = await service.getCharacteristics();
  const endpoints = new Map<string, GattCharacteristic>();
  for (const characteristic of characteristics) {
    const name = await endpointName(characteristic);
    if (name) endpoints.set(name, characteristic);
  }
  for (const name of ENDPOINT_NAMES) {
    if (endpoints.has(name)) continue;
    const fallback = characteristics.find((c) => c.uuid.toLowerCase() === characteristicUuid(name));
    if (fallback) endpoints.set(name, fallback);
  }
  return {
    async send(endpoint: EndpointName, request: Uint8Array) {
      const characteristic = endpoints.get(endpoint);
      if (!characteristic) throw new Error(`the device has no ${endpoint} endpoint`);
      const copy = new Uint8Array(request.length);
      copy.set(request);
      await characteristic.writeValueWithResponse(copy);
      return bytesOf(await characteristic.readValue());
    },
    disconnect() {
      if (server.connected) server.disconnect();
    },
    onDisconnected(listener) {
      device.addEventListener('gattserverdisconnected', listener);
    },
  };
}
