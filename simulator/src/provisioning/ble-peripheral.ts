import {
  characteristicUuid,
  ENDPOINT_NAMES,
  type EndpointName,
  PROVISIONING_SERVICE_UUID,
  type ProvisioningResponder,
  USER_DESCRIPTION_UUID,
} from '@esp32cloud/provisioning';

// The device's BLE GATT face for provisioning, as ESP-IDF's protocomm BLE transport behaves: advertises its
// name (the device id, as the setup access point is named) with the provisioning service; one characteristic
// per endpoint, each with a 0x2901 user description naming the endpoint; a client writes a request, the
// device runs it, and the next read of that characteristic returns the reply. There is no radio here: a
// test harness (or any BLE stack) drives writeCharacteristic/readCharacteristic.

export interface GattCharacteristic {
  endpoint: EndpointName;
  uuid: string;
  /** The 0x2901 descriptor's value. */
  userDescription: string;
  properties: { read: true; write: true };
}

export interface GattLayout {
  advertisedName: string;
  serviceUuid: string;
  characteristics: GattCharacteristic[];
  descriptorUuid: string;
}

export class BleProvisioningPeripheral {
  readonly layout: GattLayout;
  private readonly replies = new Map<string, Uint8Array>();
  private readonly byUuid: Map<string, GattCharacteristic>;

  constructor(
    readonly advertisedName: string,
    private readonly responder: ProvisioningResponder,
    serviceUuid = PROVISIONING_SERVICE_UUID,
  ) {
    const characteristics = ENDPOINT_NAMES.map(
      (endpoint): GattCharacteristic => ({
        endpoint,
        uuid: characteristicUuid(endpoint, serviceUuid),
        userDescription: endpoint,
        properties: { read: true, write: true },
      }),
    );
    this.byUuid = new Map(characteristics.map((c) => [c.uuid, c]));
    this.layout = { advertisedName, serviceUuid, characteristics, descriptorUuid: USER_DESCRIPTION_UUID };
  }

  private characteristic(uuid: string): GattCharacteristic {
    const found = this.byUuid.get(uuid.toLowerCase());
    if (!found) throw new Error(`no provisioning characteristic ${uuid}`);
    return found;
  }

  /** A new central connected: sessions do not outlive a connection. */
  connected(): void {
    this.replies.clear();
    this.responder.resetSession();
  }

  async writeCharacteristic(uuid: string, value: Uint8Array): Promise<void> {
    const { endpoint } = this.characteristic(uuid);
    this.replies.set(endpoint, await this.responder.handle(endpoint, value));
  }

  readCharacteristic(uuid: string): Uint8Array {
    const { endpoint } = this.characteristic(uuid);
    return this.replies.get(endpoint) ?? new Uint8Array(0);
  }

  readUserDescription(uuid: string): Uint8Array {
    return new TextEncoder().encode(this.characteristic(uuid).userDescription);
  }
}
