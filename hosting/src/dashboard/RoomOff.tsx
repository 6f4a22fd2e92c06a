import type { RoomOffResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { FormMessages } from '../components/FormMessages.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { useFormAction } from '../lib/form-action.ts';

/** "Turn everything off in this room": one request, then one line per device saying what happened. */
export function RoomOff(props: { room: string }) {
  const { room } = props;
  const answer = useSignal<RoomOffResponse | null>(null);
  const { busy, error, notice, run } = useFormAction();
  const shown = answer.value?.room === room ? answer.value : null;
  return (
    <div class="room-off" data-testid="room-off">
      <button
        type="button"
        disabled={busy.value}
        aria-busy={busy.value ? 'true' : undefined}
        data-testid="room-off-button"
        onClick={() =>
          void run(async () => {
            answer.value = await api<RoomOffResponse>('POST', '/rooms/off', { room });
          }, '')
        }
      >
        {t('room.off', { room })}
      </button>
      <FormMessages error={error.value} notice={notice.value || null} />
      {shown && (
        <div role="status">
          <p>
            {t('room.offDone', {
              sent: shown.devices.filter((d) => d.result === 'sent').length,
              total: shown.devices.length,
            })}
          </p>
          <ul class="room-off-results">
            {shown.devices.map((d) => (
              <li key={d.device_id} data-testid={`room-off-result-${d.device_id}`} data-result={d.result}>
                {d.device_name}: {t(`room.result.${d.result}`)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
