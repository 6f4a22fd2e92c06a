import { useSignal } from '@preact/signals';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import type { DeviceRecord } from '../devices/types.ts';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { useFormAction } from '../lib/form-action.ts';

/** The owner puts the device in a room (any name) or takes it out of it. */
export function RoomSetting(props: { device: DeviceRecord }) {
  const { device } = props;
  const room = useSignal(device.room ?? '');
  const { busy, error, notice, run } = useFormAction();
  const path = `/devices/${encodeURIComponent(device.deviceId)}/room`;
  return (
    <section class="card" aria-labelledby="room-title" data-testid="room-setting">
      <h2 id="room-title">{t('room.title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = room.value.trim();
          if (!name) return;
          void run(() => api('PUT', path, { room: name }), t('room.saved', { room: name }));
        }}
      >
        <TextField
          label={t('room.label')}
          value={room.value}
          aria-describedby="room-hint"
          maxLength={40}
          required
          onValue={(value) => {
            room.value = value;
          }}
        />
        <p id="room-hint" class="hint">
          {t('room.hint')}
        </p>
        <div class="row">
          <button type="submit" disabled={busy.value}>
            {t('room.save')}
          </button>
          {device.room && (
            <button
              type="button"
              class="secondary"
              disabled={busy.value}
              onClick={() => {
                room.value = '';
                void run(() => api('PUT', path, { room: null }), t('room.cleared'));
              }}
            >
              {t('room.clear')}
            </button>
          )}
        </div>
      </form>
      <FormMessages error={error.value} notice={notice.value} />
    </section>
  );
}
