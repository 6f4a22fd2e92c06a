import type { FlashConfig } from '@esp32cloud/protocol';
import {
  DEFAULT_SEC2_USERNAME,
  type DeviceSecurityConfig,
  ProvisioningResponder,
  randomBytes,
  srpVerifier,
} from '@esp32cloud/provisioning';
import { type SimulatedDevice, type SimulatorOptions, startSimulatedDevice } from '../device.ts';
import { BleProvisioningPeripheral } from './ble-peripheral.ts';
import { provisioningLogs } from './logs.ts';
import { defaultNetworks, type FakeNetwork } from './networks.ts';
import { fakeWifiStation } from './station.ts';

// A simulated device fresh out of the box: no Wi-Fi yet, so it advertises BLE provisioning under its device id
// and waits. The proof of possession is the claim code printed on its QR label (security 1 uses it directly;
// for security 2 the factory stores a salt and SRP verifier made from it, as here at "boot"). Once the
// customer's credentials join a network, the device does what real firmware does next: it connects to the
// broker, and the cloud sees it online.

export * from './ble-peripheral.ts';
export * from './networks.ts';
export * from './station.ts';

export interface ProvisioningDeviceOptions {
  /** The claim code from the device's QR label. */
  pop: string;
  security?: 1 | 2;
  networks?: FakeNetwork[];
  joinMs?: number;
  /** Passed to the MQTT side once Wi-Fi is up. */
  simulator?: SimulatorOptions;
}

export interface ProvisioningDevice {
  peripheral: BleProvisioningPeripheral;
  responder: ProvisioningResponder;
  /** The MQTT device, once Wi-Fi joined (null before). */
  device(): SimulatedDevice | null;
  /** Resolves with the MQTT device once it has joined Wi-Fi and connected to the broker (bounded). */
  waitOnline(timeoutMs?: number): Promise<SimulatedDevice>;
  stop(): Promise<void>;
}

function securityFor(options: ProvisioningDeviceOptions): DeviceSecurityConfig {
  if ((options.security ?? 2) === 1) return { security: 1, pop: options.pop };
  // A salt with a non-zero first byte reads the same as bytes and as a number (esp_prov uses both).
  const salt = randomBytes(16);
  salt[0] |= 0x80;
  return {
    security: 2,
    username: DEFAULT_SEC2_USERNAME,
    salt,
    verifier: srpVerifier(salt, DEFAULT_SEC2_USERNAME, options.pop),
    patchVersion: 1,
  };
}

export function startProvisioningDevice(
  flash: FlashConfig,
  options: ProvisioningDeviceOptions,
): ProvisioningDevice {
  const deviceId = flash.device_id;
  let device: SimulatedDevice | null = null;
  let stopped = false;
  let markOnline: (device: SimulatedDevice) => void = () => undefined;
  const online = new Promise<SimulatedDevice>((resolve) => {
    markOnline = resolve;
  });
  const security = securityFor(options);
  const responder = new ProvisioningResponder({
    security,
    station: fakeWifiStation({
      networks: options.networks ?? defaultNetworks(),
      joinMs: options.joinMs,
      onJoined: async (ssid) => {
        provisioningLogs.joined(deviceId, ssid);
        if (stopped || device) return;
        device = startSimulatedDevice(flash, options.simulator);
        device.events.once('connected', () => device && markOnline(device));
      },
      onFailed: (ssid, reason) => provisioningLogs.joinFailed(deviceId, ssid, reason),
    }),
    appInfo: { esp32cloud: { ver: 'v1', device_id: deviceId, device_type: flash.device_type } },
  });
  const peripheral = new BleProvisioningPeripheral(deviceId, responder);
  provisioningLogs.advertising(deviceId, security.security);

  return {
    peripheral,
    responder,
    device: () => device,
    waitOnline(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${deviceId} did not come online in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      return Promise.race([online, timeout]).finally(() => clearTimeout(timer));
    },
    async stop() {
      stopped = true;
      await device?.stop({ graceful: false });
    },
  };
}
