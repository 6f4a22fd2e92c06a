import { WifiAuthMode } from '@esp32cloud/provisioning';

// The Wi-Fi networks the simulated device "sees" while it waits to be set up: the customer's home network
// (its password decides the wrong-password outcome) and some neighbours. A network missing from the list is
// the not-found outcome.

export interface FakeNetwork {
  ssid: string;
  /** undefined for an open network. */
  password?: string;
  rssi: number;
  channel: number;
  auth: number;
}

export const DEFAULT_HOME_SSID = 'บ้านสวน WiFi';
export const DEFAULT_HOME_PASSWORD = 'mango-sticky-rice-7';

export function defaultNetworks(
  home = { ssid: DEFAULT_HOME_SSID, password: DEFAULT_HOME_PASSWORD },
): FakeNetwork[] {
  return [
    { ssid: home.ssid, password: home.password, rssi: -47, channel: 6, auth: WifiAuthMode.WPA2_PSK },
    {
      ssid: 'TRUE_H_5G_2F4A',
      password: 'not-yours-1',
      rssi: -63,
      channel: 36,
      auth: WifiAuthMode.WPA2_WPA3_PSK,
    },
    { ssid: 'ร้านกาแฟ Free', rssi: -71, channel: 1, auth: WifiAuthMode.Open },
    { ssid: 'AIS_Fibre_88', password: 'not-yours-2', rssi: -82, channel: 11, auth: WifiAuthMode.WPA2_PSK },
  ];
}
