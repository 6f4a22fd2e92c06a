import type { ValidateResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { typeLabel } from '../dashboard/labels.ts';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { currentUser } from '../session.ts';
import { updateWizard, wizard } from './state.ts';

type Check =
  | { kind: 'checking' }
  | { kind: 'ready'; answer: ValidateResponse }
  | { kind: 'unknown' }
  | { kind: 'taken' }
  | { kind: 'reset_required' }
  | { kind: 'failed'; message: string };

/** Step 2: ask the API whether this serial exists and is free, and learn its type. */
export function CheckStep() {
  const { serial } = wizard.value;
  const check = useSignal<Check>({ kind: 'checking' });

  useEffect(() => {
    let live = true;
    check.value = { kind: 'checking' };
    api<ValidateResponse>('GET', `/devices/validate?sn=${encodeURIComponent(serial)}`)
      .then((answer) => {
        if (!live) return;
        if (!answer.exists) check.value = { kind: 'unknown' };
        else if (answer.availability === 'taken') check.value = { kind: 'taken' };
        else if (answer.availability === 'reset_required') check.value = { kind: 'reset_required' };
        else {
          check.value = { kind: 'ready', answer };
          if (answer.device_type) updateWizard({ type: answer.device_type });
        }
      })
      .catch((error) => {
        if (live) check.value = { kind: 'failed', message: errorMessage(error) };
      });
    return () => {
      live = false;
    };
  }, [serial]);

  const back = (
    <button type="button" onClick={() => updateWizard({ step: 'find' })}>
      {t('setup.back')}
    </button>
  );
  const state = check.value;
  return (
    <section class="card" aria-labelledby="check-title" aria-busy={state.kind === 'checking'}>
      <h2 id="check-title">{t('setup.check.title')}</h2>
      <p>
        {t('device.serial')}: <strong data-testid="check-serial">{serial}</strong>
      </p>
      {state.kind === 'checking' && (
        <p class="loading" role="status">
          {t('setup.check.checking')}
        </p>
      )}
      {state.kind === 'unknown' && (
        <>
          <FormMessages error={t('setup.error.unknownSerial')} />
          {back}
        </>
      )}
      {state.kind === 'taken' && (
        <>
          <FormMessages error={t('setup.error.taken')} />
          {back}
        </>
      )}
      {state.kind === 'reset_required' && (
        <>
          <p class="error" role="alert" data-testid="check-reset-required">
            {t('setup.error.resetRequired')}
          </p>
          {back}
        </>
      )}
      {state.kind === 'failed' && (
        <>
          <FormMessages error={state.message} />
          {back}
        </>
      )}
      {state.kind === 'ready' && (
        <>
          <p class="notice" role="status" data-testid="check-ok">
            {t('setup.check.found', {
              type: state.answer.device_type ? typeLabel(state.answer.device_type) : t('setup.check.device'),
            })}
          </p>
          <div class="row">
            {back}
            <button
              type="button"
              class="primary"
              style={{ flex: 1 }}
              onClick={() => updateWizard({ step: currentUser.value ? 'claim' : 'account' })}
            >
              {t('setup.next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
