import { isClaimCodeFormat, normalizeClaimCode, type RegisterResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import { typeLabel } from '../dashboard/labels.ts';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ClaimCodeField } from './ClaimCodeField.tsx';
import { updateWizard, wizard } from './state.ts';

/** Step 4: name the device (any language, emoji welcome) and claim it with the code from the label. */
export function ClaimStep() {
  const state = wizard.value;
  const name = useSignal(state.deviceName || (state.type ? typeLabel(state.type) : ''));
  const claimCode = useSignal(state.claimCode);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  // A code from the QR link is used as is; the field appears when there is none or the API refused it.
  const askCode = useSignal(!(Boolean(state.claimCode) && isClaimCodeFormat(state.claimCode)));

  async function claim(event: Event) {
    event.preventDefault();
    const deviceName = name.value.normalize('NFC').trim();
    const code = normalizeClaimCode(claimCode.value);
    if (!deviceName) {
      error.value = t('setup.claim.nameNeeded');
      return;
    }
    if (!code) {
      error.value = t('setup.error.claimCodeMissing');
      return;
    }
    busy.value = true;
    error.value = null;
    updateWizard({ deviceName, claimCode: code });
    try {
      const answer = await api<RegisterResponse>('POST', '/devices/register', {
        serial_number: state.serial,
        claim_code: code,
        device_name: deviceName,
      });
      updateWizard({
        deviceId: answer.device_id,
        type: answer.device_type,
        deviceName: answer.device_name,
        step: 'wifi',
      });
    } catch (caught) {
      error.value = errorMessage(caught);
      if (caught instanceof ApiError && caught.code === 'wrong_claim_code') askCode.value = true;
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="card" aria-labelledby="claim-title" onSubmit={claim} noValidate>
      <h2 id="claim-title">{t('setup.claim.title')}</h2>
      <TextField
        label={t('setup.claim.name')}
        name="device-name"
        maxLength={64}
        required
        value={name.value}
        onValue={(value) => {
          name.value = value;
        }}
      />
      <p class="hint">{t('setup.claim.nameHint')}</p>
      {askCode.value && <ClaimCodeField code={claimCode} />}
      <FormMessages error={error.value} />
      <div class="row">
        <button type="button" onClick={() => updateWizard({ step: 'find' })}>
          {t('setup.back')}
        </button>
        <button type="submit" class="primary" style={{ flex: 1 }} disabled={busy.value}>
          {busy.value ? t('auth.working') : t('setup.claim.submit')}
        </button>
      </div>
    </form>
  );
}
