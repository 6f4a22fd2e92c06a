import { z } from 'zod';
import {
  DEFAULT_UPDATE_INTERVAL,
  deviceTypeSchema,
  UPDATE_INTERVAL_MAX,
  UPDATE_INTERVAL_MIN,
} from './catalogue.ts';

// The provisioning JSON flashed into each device at the factory (one file per device, `<serial>.json`, in
// the provision CLI's output directory). The firmware and the simulator read exactly this; see
// docs/DEVICE_PROTOCOL.md. It holds the device's own broker password, so the file is written 0600 and
// never leaves the factory line except into the device's flash.

export const flashConfigSchema = z.object({
  v: z.literal(1).default(1),
  serial_number: z.string().min(1).max(64),
  device_id: z.string().min(1).max(64),
  device_type: deviceTypeSchema,
  firmware_version: z.string().max(32).optional(),
  /** mqtt://host:1883 or mqtts://host:8883 for the firmware; ws:// is for browsers. */
  broker_url: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
  update_interval: z
    .number()
    .int()
    .min(UPDATE_INTERVAL_MIN)
    .max(UPDATE_INTERVAL_MAX)
    .default(DEFAULT_UPDATE_INTERVAL),
});
export type FlashConfig = z.infer<typeof flashConfigSchema>;
export type FlashConfigInput = z.input<typeof flashConfigSchema>;
export const FlashConfig = flashConfigSchema;

/** The device's MQTT username is its serial number; that is what the broker ACL keys on. */
export function deviceUsername(serial: string): string {
  return serial;
}

/** A device's broker account, as the registry hands it to the broker's admin interface. */
export interface DeviceCredentials {
  serial: string;
  /** Defaults to the serial number (the device's MQTT username is its serial). */
  username?: string;
  password: string;
}
