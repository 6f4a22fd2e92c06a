import type { DeviceCredentials } from '@esp32cloud/protocol';

// The broker side of provisioning: each device gets its own credentials and an ACL limited to its own topics.
// The implementation (Mosquitto dynamic security over its control topic, answered the same way by the
// embedded broker) lives in broker/src/admin.ts; the registry only needs these operations. Optional by
// design: without a broker admin URL, provisioning still writes Firestore and the flash files, and
// device_secrets.broker_registered = false marks devices to register later (re-run the batch with a broker).

export interface BrokerAdmin {
  addDevice(credentials: DeviceCredentials): Promise<void>;
  addDevices?(credentials: DeviceCredentials[]): Promise<void>;
  removeDevice(serial: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to the broker's admin interface given `mqtt://user:password@host:port` (the admin service account's
 * credentials in the URL). Loaded lazily so a function instance without a broker never loads the client.
 */
export async function openBrokerAdmin(adminUrl: string, timeoutMs = 5000): Promise<BrokerAdmin> {
  const url = new URL(adminUrl);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const { BrokerAdmin: DynsecAdmin } = await import('@esp32cloud/broker/admin');
  return DynsecAdmin.connect({ url: url.toString(), username, password, timeoutMs });
}
