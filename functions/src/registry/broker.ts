// The broker side of provisioning: each device gets its own credentials and an ACL limited to its own topics.
// The registry only needs these two operations; the implementation (Mosquitto dynamic security over its
// control topic) lives with the broker. Optional by design: without a broker admin URL, provisioning still
// writes Firestore and the flash files, and `broker_registered: false` marks devices to register later.

export interface DeviceCredentials {
  serial: string;
  username: string;
  password: string;
}

export interface BrokerAdmin {
  addDevice(credentials: DeviceCredentials): Promise<void>;
  removeDevice(serial: string): Promise<void>;
  close(): Promise<void>;
}
