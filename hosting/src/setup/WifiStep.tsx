import { useSignal } from '@preact/signals';
import { doc, onSnapshot } from 'firebase/firestore';
import { useEffect } from 'preact/hooks';
import { firestore } from '../firestore.ts';
import { t } from '../i18n/index.ts';
import { lazyPage } from '../lazy.tsx';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { hasWebBluetooth } from './bluetooth-support.ts';
import { SETUP_AP_PORTAL, setupApName } from './device-ap.ts';
import { updateWizard, wizard } from './state.ts';

// The Bluetooth code (protocol, cryptography) is its own chunk, fetched only when this step shows it.
const BluetoothWifi = lazyPage(() => import('./BluetoothWifi.tsx').then((m) => m.BluetoothWifi));

/**
 * Step 5: Wi-Fi. Where the browser has Web Bluetooth, the password goes to the device over Bluetooth from this
 * page (BluetoothWifi); the device's setup access point stays the way for every other browser. The network
 * name is kept in device_configs (through the API); the password goes only from the phone to the device and
 * never reaches our servers. Meanwhile the step listens to the device document and says so the moment the
 * device comes online.
 */
export function WifiStep() {
  const state = wizard.value;
  const deviceId = state.deviceId!;
  const ssid = useSignal(state.ssid);
  const saved = useSignal(Boolean(state.ssid));
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const online = useSignal(false);

  useEffect(
    () =>
      onSnapshot(
        doc(firestore(), 'devices', deviceId),
        (snapshot) => {
          online.value = (snapshot.data()?.state as { online?: unknown } | undefined)?.online === true;
        },
        () => undefined,
      ),
    [deviceId],
  );

  async function saveSsid(event: Event) {
    event.preventDefault();
    const name = ssid.value.trim();
    if (!name) return;
    busy.value = true;
    error.value = null;
    try {
      await api('PUT', `/devices/${encodeURIComponent(deviceId)}/config`, { wifi_ssid: name });
      updateWizard({ ssid: name });
      saved.value = true;
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      busy.value = false;
    }
  }

  const apName = setupApName(deviceId);
  return (
    <div class="stack">
      {hasWebBluetooth() && <BluetoothWifi />}
      <form class="card" aria-labelledby="wifi-title" onSubmit={saveSsid}>
        <h2 id="wifi-title">{t('setup.wifi.title')}</h2>
        <label>
          {t('setup.wifi.ssid')}
          <input
            name="ssid"
            autoComplete="off"
            maxLength={32}
            required
            value={ssid.value}
            onInput={(e) => {
              ssid.value = e.currentTarget.value;
              saved.value = false;
            }}
          />
        </label>
        <button type="submit" disabled={busy.value || saved.value}>
          {saved.value ? t('setup.wifi.ssidSaved') : t('setup.wifi.saveSsid')}
        </button>
        {error.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
      </form>
      <section class="card" aria-labelledby="ap-title">
        <h2 id="ap-title">{t('setup.wifi.apTitle')}</h2>
        <ol class="instructions">
          <li>{t('setup.wifi.step1')}</li>
          <li>
            {t('setup.wifi.step2')} <code data-testid="ap-name">{apName}</code>
          </li>
          <li>
            {t('setup.wifi.step3')} <code>{SETUP_AP_PORTAL}</code>
          </li>
          <li>{t('setup.wifi.step4')}</li>
        </ol>
        <p class="hint">{t('setup.wifi.passwordNote')}</p>
      </section>
      <section
        class="card"
        aria-live="polite"
        data-testid="wifi-status"
        data-online={online.value ? 'true' : 'false'}
      >
        {online.value ? (
          <>
            <p class="notice">
              <span class="badge online">{t('device.online')}</span> {t('setup.wifi.online')}
            </p>
            <button type="button" class="primary" onClick={() => updateWizard({ step: 'done' })}>
              {t('setup.next')}
            </button>
          </>
        ) : (
          <>
            <p class="loading">
              <span class="badge offline">{t('device.offline')}</span> {t('setup.wifi.waiting')}
            </p>
            <button type="button" class="link" onClick={() => updateWizard({ step: 'done' })}>
              {t('setup.wifi.later')}
            </button>
          </>
        )}
      </section>
    </div>
  );
}
