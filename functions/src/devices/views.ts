import type {
  DesiredState,
  DeviceConfigResponse,
  DeviceState,
  DeviceStatusResponse,
  UserDeviceSummary,
} from '@esp32cloud/protocol';
import { type DeviceConfigDoc, type DeviceDoc, iso, type UserDeviceDoc } from '../shared/documents.ts';

// Firestore documents → API JSON (timestamps as ISO 8601 strings, never secrets).

export function stateView(device: DeviceDoc): DeviceState {
  const state = device.state ?? { online: false, last_seen: null, outputs: {}, readings: {} };
  return {
    online: Boolean(state.online),
    last_seen: iso(state.last_seen),
    outputs: state.outputs ?? {},
    readings: state.readings ?? {},
    ...(state.rssi === undefined ? {} : { rssi: state.rssi }),
    ...(state.firmware === undefined ? {} : { firmware: state.firmware }),
  };
}

export function desiredView(device: DeviceDoc): DesiredState | null {
  if (!device.desired) return null;
  return {
    outputs: device.desired.outputs ?? {},
    updated_at: iso(device.desired.updated_at),
    command_id: device.desired.command_id ?? null,
  };
}

export function summaryView(device: DeviceDoc, link: UserDeviceDoc): UserDeviceSummary {
  return {
    device_id: device.device_id,
    serial_number: device.serial_number,
    device_type: device.device_type,
    device_name: link.device_name,
    access_level: link.access_level,
    status: device.status,
    firmware_version: device.firmware_version,
    state: stateView(device),
    desired: desiredView(device),
    added_at: iso(link.added_at),
    last_accessed: iso(link.last_accessed),
  };
}

export function statusView(device: DeviceDoc, link: UserDeviceDoc | null): DeviceStatusResponse {
  return {
    device_id: device.device_id,
    serial_number: device.serial_number,
    device_type: device.device_type,
    status: device.status,
    access_level: link?.access_level ?? null,
    state: stateView(device),
    desired: desiredView(device),
  };
}

export function configView(config: DeviceConfigDoc): DeviceConfigResponse {
  return {
    device_id: config.device_id,
    wifi_ssid: config.wifi_ssid ?? null,
    mqtt_broker_url: config.mqtt_broker_url,
    update_interval: config.update_interval,
    custom_settings: config.custom_settings ?? {},
    updated_at: iso(config.updated_at),
  };
}
