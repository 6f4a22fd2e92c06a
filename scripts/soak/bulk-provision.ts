import { writeDeviceAccounts } from '@esp32cloud/broker';
import { provisionBatch } from '@esp32cloud/functions/provisioning';
import type { DeviceCredentials, DeviceType, FlashConfig } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';

// A fleet made at once, for the soak and the benches at thousands of devices: the registry records are created
// by the very code the provision CLI runs (provisionBatch: transactions of 100 devices with their config,
// secrets, serial reservation and batch document), and the broker accounts are collected from it and written
// into the dynamic-security file in one go (writeDeviceAccounts) instead of one control command at a time.
// The broker must be stopped meanwhile (the rig stops it and starts it again around this call).

export interface BulkProvisionOptions {
  db: Firestore;
  /** The broker's dynamic-security file (RunningBroker.dynsecFile). */
  dynsecFile: string;
  count: number;
  deviceType?: DeviceType;
  /** The URL written into each flash config. */
  brokerUrl: string;
  batchId?: string;
}

export interface BulkProvisionResult {
  configs: FlashConfig[];
  /** Registry records (Firestore) and broker accounts (one file write), in ms. */
  registryMs: number;
  brokerAccountsMs: number;
}

export async function bulkProvision(options: BulkProvisionOptions): Promise<BulkProvisionResult> {
  const credentials: DeviceCredentials[] = [];
  // provisionBatch hands each chunk's accounts to its broker admin and then marks them broker_registered; this
  // one gathers them for the single file write below (an error there fails the whole call).
  const collector = {
    addDevice: async (device: DeviceCredentials) => void credentials.push(device),
    addDevices: async (devices: DeviceCredentials[]) => void credentials.push(...devices),
    removeDevice: async () => undefined,
    close: async () => undefined,
  };
  const started = Date.now();
  const result = await provisionBatch(
    options.db,
    {
      appUrl: 'http://127.0.0.1:5000',
      deviceBrokerUrl: options.brokerUrl,
      pepper: 'soak-fleet-pepper',
      broker: collector,
    },
    {
      batchId: options.batchId ?? `fleet-${Date.now().toString(36)}`,
      deviceType: options.deviceType ?? '4Relay',
      firmwareVersion: '1.0.0',
      count: options.count,
    },
  );
  const registryMs = Date.now() - started;
  const written = Date.now();
  writeDeviceAccounts(options.dynsecFile, credentials);
  const brokerAccountsMs = Date.now() - written;
  return { configs: result.created.map((d) => d.flash_config), registryMs, brokerAccountsMs };
}
