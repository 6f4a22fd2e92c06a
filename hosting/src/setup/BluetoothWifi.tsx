import { normalizeClaimCode } from '@esp32cloud/protocol';
import { ProvisioningClient, SessionError, type WifiNetwork } from '@esp32cloud/provisioning';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { tb } from '../i18n/bluetooth.ts';
import { api } from '../lib/api.ts';
import { type BleLink, bluetoothAvailable, connectBle } from './ble-transport.ts';
import { NetworkList } from './NetworkList.tsx';
import { updateWizard, wizard } from './state.ts';

// Wi-Fi setup over Bluetooth (ESP-IDF unified provisioning), loaded only in the Wi-Fi step of a browser with
// Web Bluetooth: find the device by its id, open a session with the claim code as proof of possession, list
// the networks it sees, send the chosen one's name and password (encrypted by the session, phone → device),
// and follow the device until it has joined. The password lives in this component's state only: never in
// the wizard's storage, the API or a log. The network name is saved to the device's config as before.

type Phase = 'idle' | 'connecting' | 'scanning' | 'choose' | 'joining' | 'joined';

function describe(error: unknown): string {
  if (error instanceof SessionError && error.reason === 'wrong_pop') return tb('wrongPop');
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotFoundError') return tb('cancelled');
  if (name === 'NetworkError') return tb('lost');
  return tb('error', { message: (error as Error)?.message ?? String(error) });
}

export function BluetoothWifi() {
  const state = wizard.value;
  const deviceId = state.deviceId!;
  const phase = useSignal<Phase>('idle');
  const error = useSignal<string | null>(null);
  const networks = useSignal<WifiNetwork[]>([]);
  const selected = useSignal('');
  const password = useSignal('');
  const joiningSsid = useSignal('');
  const link = useRef<BleLink | null>(null);
  const client = useRef<ProvisioningClient | null>(null);

  useEffect(() => {
    void bluetoothAvailable().then((available) => {
      if (!available && phase.value === 'idle') error.value = tb('unavailable');
    });
    return () => link.current?.disconnect();
  }, []);

  async function scan() {
    phase.value = 'scanning';
    const found = await client.current!.scan();
    networks.value = found;
    if (!found.some((n) => n.ssid === selected.value)) selected.value = found[0]?.ssid ?? '';
    phase.value = 'choose';
  }

  async function start() {
    error.value = null;
    phase.value = 'connecting';
    try {
      link.current?.disconnect();
      const opened = await connectBle(deviceId);
      link.current = opened;
      opened.onDisconnected(() => {
        if (link.current !== opened || phase.value === 'joined') return;
        link.current = null;
        client.current = null;
        phase.value = 'idle';
        error.value = tb('lost');
      });
      client.current = await ProvisioningClient.connect(opened, normalizeClaimCode(state.claimCode));
      await scan();
    } catch (caught) {
      link.current?.disconnect();
      link.current = null;
      phase.value = 'idle';
      error.value = describe(caught);
    }
  }

  async function join(event: Event) {
    event.preventDefault();
    const ssid = selected.value;
    const network = networks.value.find((n) => n.ssid === ssid);
    if (!ssid || !client.current || (network?.secure && !password.value)) return;
    error.value = null;
    joiningSsid.value = ssid;
    phase.value = 'joining';
    try {
      await client.current.applyWifi(ssid, network?.secure ? password.value : '');
      const outcome = await client.current.waitForWifi();
      if (outcome.state === 'connected') {
        password.value = '';
        phase.value = 'joined';
        link.current?.disconnect();
        await api('PUT', `/devices/${encodeURIComponent(deviceId)}/config`, { wifi_ssid: ssid });
        updateWizard({ ssid });
        return;
      }
      phase.value = 'choose';
      password.value = '';
      error.value =
        outcome.state === 'failed' && outcome.reason === 'wrong_password'
          ? tb('wrongPassword')
          : outcome.state === 'failed' && outcome.reason === 'not_found'
            ? tb('notFound', { ssid })
            : tb('failed');
    } catch (caught) {
      if (phase.value === 'joining') phase.value = client.current ? 'choose' : 'idle';
      error.value = describe(caught);
    }
  }

  const busy = phase.value === 'connecting' || phase.value === 'scanning' || phase.value === 'joining';
  const chosen = networks.value.find((n) => n.ssid === selected.value);
  return (
    <section class="card" aria-labelledby="ble-title" data-testid="ble-setup" data-phase={phase.value}>
      <h2 id="ble-title">{tb('title')}</h2>
      {(phase.value === 'idle' || phase.value === 'connecting') && (
        <>
          <p>{tb('intro')}</p>
          <button type="button" class="primary" disabled={busy} onClick={start}>
            {phase.value === 'connecting' ? tb('connecting') : tb('start')}
          </button>
        </>
      )}
      {phase.value === 'scanning' && (
        <p class="loading" role="status">
          {tb('scanning')}
        </p>
      )}
      {(phase.value === 'choose' || phase.value === 'joining') && (
        <form class="stack" onSubmit={join}>
          <NetworkList networks={networks.value} selected={selected} />
          {chosen?.secure !== false && (
            <label>
              {tb('password')}
              <input
                type="password"
                name="wifi-password"
                autoComplete="off"
                maxLength={64}
                value={password.value}
                onInput={(e) => {
                  password.value = e.currentTarget.value;
                }}
              />
            </label>
          )}
          <p class="hint">{tb('passwordNote')}</p>
          <div class="row">
            <button type="submit" class="primary" disabled={busy || !selected.value}>
              {tb('join')}
            </button>
            <button
              type="button"
              class="link"
              disabled={busy}
              onClick={() => scan().catch((e) => (error.value = describe(e)))}
            >
              {tb('rescan')}
            </button>
          </div>
          {phase.value === 'joining' && (
            <p class="loading" role="status">
              {tb('joining', { ssid: joiningSsid.value })}
            </p>
          )}
        </form>
      )}
      {phase.value === 'joined' && (
        <p class="notice" role="status" data-testid="ble-joined">
          {tb('joined', { ssid: joiningSsid.value })}
        </p>
      )}
      <FormMessages error={error.value} />
    </section>
  );
}
