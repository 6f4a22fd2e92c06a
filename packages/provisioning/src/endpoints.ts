import type { SecurityVersion } from './messages.ts';

// The BLE face of protocomm, as ESP-IDF's BLE provisioning scheme lays it out: one primary GATT service with
// a 128-bit UUID from the firmware's config, advertised together with the device's name; one characteristic
// per endpoint whose UUID is the service UUID with bytes 12–13 (the 3rd–4th hex pairs of the text form)
// replaced by the endpoint's 16-bit number, and a Characteristic User Description (0x2901) descriptor that
// names the endpoint. Clients find endpoints by that description (ESP-IDF's advice); the numbers are the
// fallback. A client writes a request to the characteristic, then reads the response from it.

/** Our firmware's provisioning service UUID (ESP32 Cloud's own; in the firmware's sdkconfig). */
export const PROVISIONING_SERVICE_UUID = '90f7248e-f6f6-45e6-90a2-44709fc0f165';

/** 0x2901 Characteristic User Description, as a full UUID. */
export const USER_DESCRIPTION_UUID = '00002901-0000-1000-8000-00805f9b34fb';

/** The endpoints and the 16-bit numbers ESP-IDF's provisioning manager gives them. */
export const ENDPOINTS = {
  'prov-scan': 0xff50,
  'prov-session': 0xff51,
  'prov-config': 0xff52,
  'proto-ver': 0xff53,
} as const;
export type EndpointName = keyof typeof ENDPOINTS;
export const ENDPOINT_NAMES = Object.keys(ENDPOINTS) as EndpointName[];

export function characteristicUuid(endpoint: EndpointName, serviceUuid = PROVISIONING_SERVICE_UUID): string {
  const uuid = serviceUuid.toLowerCase();
  return `${uuid.slice(0, 4)}${ENDPOINTS[endpoint].toString(16).padStart(4, '0')}${uuid.slice(8)}`;
}

/** The proto-ver JSON (plain text, before any session): what a client reads to pick the security. */
export interface VersionInfo {
  prov: { ver: string; sec_ver: SecurityVersion; sec_patch_ver?: number; cap?: string[] };
  [app: string]: unknown;
}

export const PROV_VERSION = 'v1.1';

export function parseVersionInfo(text: string): VersionInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`proto-ver did not answer JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const prov = (parsed as { prov?: Record<string, unknown> } | null)?.prov;
  const sec = prov?.sec_ver;
  if (!prov || (sec !== 0 && sec !== 1 && sec !== 2))
    throw new Error('proto-ver names no known security version');
  const patch = Number(prov.sec_patch_ver ?? 0);
  return {
    ...(parsed as object),
    prov: {
      ver: String(prov.ver ?? ''),
      sec_ver: sec,
      sec_patch_ver: Number.isInteger(patch) ? patch : 0,
      cap: Array.isArray(prov.cap) ? prov.cap.map(String) : [],
    },
  };
}
