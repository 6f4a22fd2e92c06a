import { useSignal } from '@preact/signals';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { at } from './i18n.ts';

/** The setup wizard's last step offers the default rule: "tell me when this device goes offline" (5 min). */
export default function OfflineAlertOffer(props: { deviceId: string }) {
  const state = useSignal<'idle' | 'saving' | 'done' | string>('idle');
  const create = async () => {
    state.value = 'saving';
    try {
      await api('POST', `/devices/${encodeURIComponent(props.deviceId)}/alert-rules`, {
        condition: { kind: 'offline', minutes: 5 },
        severity: 'warning',
      });
      state.value = 'done';
    } catch (error) {
      state.value = errorMessage(error);
    }
  };
  if (state.value === 'done')
    return (
      <p class="notice" role="status" data-testid="offline-offer-done">
        {at('offer.done')}
      </p>
    );
  return (
    <p>
      <label>
        <input
          type="checkbox"
          data-testid="offline-offer"
          disabled={state.value === 'saving'}
          onChange={(e) => e.currentTarget.checked && void create()}
        />{' '}
        {at('offer.label')}
      </label>
      {state.value !== 'idle' && state.value !== 'saving' && (
        <span class="error" role="alert">
          {' '}
          {state.value}
        </span>
      )}
    </p>
  );
}
