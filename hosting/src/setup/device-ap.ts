// The device's own setup access point, opened while it has no Wi-Fi: named after its deviceId, with a small
// page at a fixed local address where the network name and password are entered. The password goes from the
// phone straight to the device; it never passes through our API or Firestore.

export const SETUP_AP_PORTAL = 'http://192.168.4.1';

export function setupApName(deviceId: string): string {
  return deviceId;
}
