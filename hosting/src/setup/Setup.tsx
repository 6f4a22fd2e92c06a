import { isDeviceType, parseSetupQuery } from '@esp32cloud/protocol';
import { useEffect } from 'preact/hooks';
import { LazyOfflineAlertOffer } from '../alerts/lazy-device.ts';
import { AuthForm } from '../components/AuthForm.tsx';
import { t } from '../i18n/index.ts';
import { navigate, route, safeLocalPath } from '../router.ts';
import { currentUser } from '../session.ts';
import { CheckStep } from './CheckStep.tsx';
import { ClaimStep } from './ClaimStep.tsx';
import { FindStep } from './FindStep.tsx';
import { resetWizard, updateWizard, WIZARD_STEPS, type WizardStep, wizard } from './state.ts';
import { WifiStep } from './WifiStep.tsx';

const STEP_LABELS: Record<WizardStep, Parameters<typeof t>[0]> = {
  find: 'setup.steps.find',
  check: 'setup.steps.check',
  account: 'setup.steps.account',
  claim: 'setup.steps.claim',
  wifi: 'setup.steps.wifi',
  done: 'setup.steps.done',
};

/** Starts the wizard from a QR link (?sn=&c=&type=&redirect=), then takes the secrets out of the address bar. */
function useQrEntry(): void {
  useEffect(() => {
    const query = route.value.query;
    if (!query.get('sn')) return;
    const link = parseSetupQuery(query);
    resetWizard({
      serial: link.serial,
      claimCode: link.claimCode ?? '',
      type: link.type && isDeviceType(link.type) ? link.type : null,
      redirect: safeLocalPath(query.get('redirect')),
      step: 'check',
    });
    navigate('/setup', { replace: true });
  }, []);
}

function DoneStep() {
  const state = wizard.value;
  const finish = (to: string) => {
    resetWizard();
    navigate(to, { replace: true });
  };
  return (
    <section class="card" aria-labelledby="done-title" data-testid="setup-done">
      <h2 id="done-title">{t('setup.done.title')}</h2>
      <p>{t('setup.done.body', { name: state.deviceName })}</p>
      {state.deviceId && <LazyOfflineAlertOffer deviceId={state.deviceId} />}
      <button type="button" class="primary" onClick={() => finish(state.redirect ?? '/')}>
        {t('setup.done.dashboard')}
      </button>
      {state.deviceId && (
        <p>
          <button
            type="button"
            class="link"
            onClick={() => finish(`/devices/${encodeURIComponent(state.deviceId!)}`)}
          >
            {t('setup.done.device')}
          </button>
        </p>
      )}
    </section>
  );
}

/** /setup — the wizard: find → check → account (only when signed out) → name & claim → Wi-Fi → done. */
export default function Setup() {
  useQrEntry();
  const state = wizard.value;
  const user = currentUser.value;
  let step = state.step;
  // Steps that need an account wait for one without losing anything; an account step with a user moves on.
  if ((step === 'claim' || step === 'wifi') && !user) step = 'account';
  if (step === 'account' && user) step = 'claim';
  if (step === 'wifi' && !state.deviceId) step = 'claim';

  return (
    <section class="page narrow" data-testid="setup" data-step={step}>
      <h1>{t('setup.title')}</h1>
      <ol class="steps" aria-label={t('setup.progress')}>
        {WIZARD_STEPS.map((s) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            {t(STEP_LABELS[s])}
          </li>
        ))}
      </ol>
      <p class="visually-hidden" aria-live="polite">
        {t('setup.progress')}: {t(STEP_LABELS[step])}
      </p>
      {step === 'find' && <FindStep />}
      {step === 'check' && <CheckStep />}
      {step === 'account' && (
        <>
          <p class="notice">{t('auth.needed')}</p>
          <AuthForm initialMode="signup" onDone={() => updateWizard({ step: 'claim' })} />
        </>
      )}
      {step === 'claim' && <ClaimStep />}
      {step === 'wifi' && <WifiStep />}
      {step === 'done' && <DoneStep />}
    </section>
  );
}
