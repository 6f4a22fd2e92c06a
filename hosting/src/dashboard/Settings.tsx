import { firestorePaths, UPDATE_INTERVAL_MAX, UPDATE_INTERVAL_MIN } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { doc, getDoc } from 'firebase/firestore';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import type { DeviceLink } from '../devices/types.ts';
import { firestore } from '../firestore.ts';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { useFormAction } from '../lib/form-action.ts';
import { navigate } from '../router.ts';

const NAME_MAX = 60;

/** Owner-only settings: rename, update interval, remove (release the device). */
export function Settings(props: { uid: string; link: DeviceLink }) {
  const { uid, link } = props;
  const name = useSignal(link.name);
  const interval = useSignal<string>('');
  const { busy, error, notice, run } = useFormAction();
  const confirmRemove = useSignal(false);
  const path = `/users/${encodeURIComponent(uid)}/devices/${encodeURIComponent(link.deviceId)}`;

  useEffect(() => {
    getDoc(doc(firestore(), firestorePaths.deviceConfig(link.deviceId)))
      .then((snapshot) => {
        const value = snapshot.data()?.update_interval;
        if (typeof value === 'number' && !interval.value) interval.value = String(value);
      })
      .catch(() => undefined);
  }, [link.deviceId]);

  return (
    <section class="card" aria-labelledby="settings-title" data-testid="settings">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const deviceName = name.value.trim();
          if (!deviceName) return;
          void run(() => api('PATCH', path, { device_name: deviceName }), t('settings.saved'));
        }}
      >
        <TextField
          label={t('settings.name')}
          value={name.value}
          maxLength={NAME_MAX}
          required
          onValue={(value) => {
            name.value = value;
          }}
        />
        <button type="submit" disabled={busy.value}>
          {t('settings.rename')}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const seconds = Number(interval.value);
          void run(
            () =>
              api('PUT', `/devices/${encodeURIComponent(link.deviceId)}/config`, {
                update_interval: seconds,
              }),
            t('settings.saved'),
          );
        }}
      >
        <TextField
          label={t('settings.interval', { min: UPDATE_INTERVAL_MIN, max: UPDATE_INTERVAL_MAX })}
          type="number"
          inputMode="numeric"
          min={UPDATE_INTERVAL_MIN}
          max={UPDATE_INTERVAL_MAX}
          step={1}
          required
          value={interval.value}
          onValue={(value) => {
            interval.value = value;
          }}
        />
        <button type="submit" disabled={busy.value}>
          {t('settings.saveInterval')}
        </button>
      </form>
      <div class="row" style={{ marginTop: '12px' }}>
        {confirmRemove.value ? (
          <>
            <span>{t('settings.removeConfirm', { name: link.name })}</span>
            <button
              type="button"
              class="danger"
              disabled={busy.value}
              onClick={() =>
                run(async () => {
                  await api('DELETE', path);
                  navigate('/', { replace: true });
                }, t('settings.removed'))
              }
            >
              {t('settings.removeYes')}
            </button>
            <button type="button" onClick={() => (confirmRemove.value = false)}>
              {t('settings.cancel')}
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => (confirmRemove.value = true)}>
            {t('settings.remove')}
          </button>
        )}
      </div>
      <FormMessages error={error.value} notice={notice.value} />
    </section>
  );
}
