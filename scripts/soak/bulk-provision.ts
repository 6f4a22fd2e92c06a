import { writeDeviceAccounts } from '@esp32cloud/broker';
import { provisionBatch } from '@esp32cloud/functions/provisioning';
import type { DeviceCredentials, DeviceType, FlashConfig } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';

// A fleet made at once, for the soak and the benches at thousands of devices: the registry records are created
// by the very code the provision CLI runs (provisionBatch: transactions of 100 devices with their config,
// secrets, serial reservation and batch document), and the broker accounts are collected from it and written
// into the dynamic-security file in one go (writeDeviceAccounts) instead of one control command at a time.
// The broker must be stopped meanwhile (the rig stops it and starts it again around this call).

const BATCH_SIZE = 2500;

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
  const settings = {
    appUrl: 'http://127.0.0.1:5000',
    deviceBrokerUrl: options.brokerUrl,
    pepper: 'soak-fleet-pepper',
    broker: collector,
  };
  // Manufacturing batches of at most 2,500 run side by side, as several provision CLI runs would: each batch's
  // chunks are sequential (its batch document orders them), so one batch alone leaves the machine idle while
  // a transaction is in flight.
  const batchId = options.batchId ?? `fleet-${Date.now().toString(36)}`;
  const batches = Math.ceil(options.count / BATCH_SIZE);
  const results = await Promise.all(
    Array.from({ length: batches }, (_, b) =>
      provisionBatch(options.db, settings, {
        batchId: batches === 1 ? batchId : `${batchId}-${b + 1}`,
        deviceType: options.deviceType ?? '4Relay',
        firmwareVersion: '1.0.0',
        count: Math.min(BATCH_SIZE, options.count - b * BATCH_SIZE),
      }),
    ),
  );
  const registryMs = Date.now() - started;
  const written = Date.now();
  writeDeviceAccounts(options.dynsecFile, credentials);
  const brokerAccountsMs = Date.now() - written;
  const configs = results.flatMap((r) => r.created.map((d) => d.flash_config));
  return { configs, registryMs, brokerAccountsMs };
}
