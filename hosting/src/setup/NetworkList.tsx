import type { WifiNetwork } from '@esp32cloud/provisioning';
import type { Signal } from '@preact/signals';
import { tb } from '../i18n/bluetooth.ts';

/** How a signal strength (dBm) reads to a person. */
function signalLabel(rssi: number): string {
  if (rssi >= -55) return tb('signal.strong');
  if (rssi >= -70) return tb('signal.good');
  return tb('signal.weak');
}

function signalBars(rssi: number): string {
  return rssi >= -55 ? '▂▄▆█' : rssi >= -70 ? '▂▄▆' : '▂▄';
}

/** A padlock drawn inline: emoji fonts are not everywhere. */
function LockIcon() {
  return (
    <svg width="14" height="16" viewBox="0 0 14 16" aria-hidden="true" focusable="false">
      <path d="M3 7V5a4 4 0 0 1 8 0v2" fill="none" stroke="currentColor" stroke-width="2" />
      <rect x="1" y="7" width="12" height="9" rx="2" fill="currentColor" />
    </svg>
  );
}

/** The networks the device found, strongest first: name, signal and a lock for those with a password. */
export function NetworkList({ networks, selected }: { networks: WifiNetwork[]; selected: Signal<string> }) {
  return (
    <fieldset class="network-list" data-testid="ble-networks">
      <legend>{tb('networks')}</legend>
      {networks.map((network) => (
        <label key={network.ssid} class="network">
          <input
            type="radio"
            name="network"
            value={network.ssid}
            checked={selected.value === network.ssid}
            onChange={() => {
              selected.value = network.ssid;
            }}
          />
          <span class="network-name">{network.ssid}</span>
          <span class="network-signal" title={signalLabel(network.rssi)}>
            <span aria-hidden="true">{signalBars(network.rssi)}</span>
            <span class="visually-hidden">{signalLabel(network.rssi)}</span>
          </span>
          <span class="network-lock" role="img" aria-label={network.secure ? tb('secured') : tb('open')}>
            {network.secure && <LockIcon />}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
