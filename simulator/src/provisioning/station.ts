import type { WifiCredentials, WifiOutcome, WifiStation } from '@esp32cloud/provisioning';
import { utf8 } from '@esp32cloud/provisioning';
import type { FakeNetwork } from './networks.ts';

// A Wi-Fi station over the fake network list: a join takes a moment (as a real association does), then
// succeeds only with the network's own password.

export interface FakeStationOptions {
  networks: FakeNetwork[];
  /** How long a join attempt takes, in ms. */
  joinMs?: number;
  onJoined?: (ssid: string) => void | Promise<void>;
  onFailed?: (ssid: string, reason: 'wrong_password' | 'not_found') => void;
}

export function fakeWifiStation(options: FakeStationOptions): WifiStation {
  let lastIp = 20;
  return {
    async scan() {
      return options.networks.map((network, i) => ({
        ssid: utf8(network.ssid),
        channel: network.channel,
        rssi: network.rssi,
        bssid: Uint8Array.from([0x02, 0xe5, 0x32, 0x00, 0x00, i + 1]),
        auth: network.auth,
      }));
    },
    async connect(credentials: WifiCredentials): Promise<WifiOutcome> {
      await new Promise((resolve) => setTimeout(resolve, options.joinMs ?? 300));
      const network = options.networks.find((n) => n.ssid === credentials.ssid);
      const outcome: WifiOutcome = !network
        ? { ok: false, reason: 'not_found' }
        : (network.password ?? '') !== credentials.password
          ? { ok: false, reason: 'wrong_password' }
          : { ok: true, ip: `192.168.1.${++lastIp}` };
      if (outcome.ok) await options.onJoined?.(credentials.ssid);
      else options.onFailed?.(credentials.ssid, outcome.reason);
      return outcome;
    },
  };
}
