import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { type EmulatedGoogleAccount, googleIsEmulated } from '../emulated-google.ts';
import { t } from '../i18n/index.ts';
import { authErrorMessage, resetPassword, signIn, signUp } from '../session.ts';
import { EmulatedGoogleDialog } from './EmulatedGoogleDialog.tsx';
import { FormMessages } from './FormMessages.tsx';
import { TextField } from './TextField.tsx';

export type AuthMode = 'signin' | 'signup' | 'reset';

/**
 * Email + password sign-in, sign-up and password reset in one form. Used by the auth pages and inline by the
 * setup wizard (which must not lose its progress), so it reports success through `onDone` instead of routing.
 */
export function AuthForm(props: { initialMode?: AuthMode; onDone?: () => void }) {
  const mode = useSignal<AuthMode>(props.initialMode ?? 'signin');
  const email = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const pickingGoogleAccount = useSignal(false);
  const googleButton = useRef<HTMLButtonElement>(null);

  const title =
    mode.value === 'signup'
      ? t('auth.signUp.title')
      : mode.value === 'reset'
        ? t('auth.reset.title')
        : t('auth.signIn.title');
  const submitLabel =
    mode.value === 'signup'
      ? t('auth.signUp.submit')
      : mode.value === 'reset'
        ? t('auth.reset.submit')
        : t('auth.signIn.submit');

  async function submit(event: Event) {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    notice.value = null;
    try {
      if (mode.value === 'signup') await signUp(email.value, password.value);
      else if (mode.value === 'signin') await signIn(email.value, password.value);
      else {
        await resetPassword(email.value);
        notice.value = t('auth.reset.sent', { email: email.value });
        return;
      }
      props.onDone?.();
    } catch (caught) {
      error.value = t(authErrorMessage(caught));
    } finally {
      busy.value = false;
    }
  }

  /** Against the emulator Google is played in-app (see emulated-google.ts); in production by Google's popup. */
  function google() {
    if (googleIsEmulated()) {
      pickingGoogleAccount.value = true;
      return;
    }
    void signInWithGoogle();
  }

  async function signInWithGoogle(account?: EmulatedGoogleAccount) {
    pickingGoogleAccount.value = false;
    busy.value = true;
    error.value = null;
    notice.value = null;
    try {
      const flows = await import('../google.ts');
      if (account) await flows.signInWithEmulatedGoogle(account);
      else await flows.signInWithGoogle();
      props.onDone?.();
    } catch (caught) {
      const code = (caught as { code?: string }).code;
      // Closing the popup is a choice, not an error.
      if (code !== 'auth/popup-closed-by-user' && code !== 'auth/cancelled-popup-request') {
        error.value = t(authErrorMessage(caught));
      }
    } finally {
      busy.value = false;
    }
  }

  function switchTo(next: AuthMode) {
    mode.value = next;
    error.value = null;
    notice.value = null;
  }

  return (
    <>
      <form class="card auth-form" onSubmit={submit} aria-labelledby="auth-title" data-mode={mode.value}>
        <h2 id="auth-title">{title}</h2>
        <TextField
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email.value}
          onValue={(value) => {
            email.value = value;
          }}
        />
        {mode.value !== 'reset' && (
          <TextField
            label={t('auth.password')}
            type="password"
            name="password"
            autoComplete={mode.value === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={6}
            value={password.value}
            onValue={(value) => {
              password.value = value;
            }}
          />
        )}
        <FormMessages error={error.value} notice={notice.value} />
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? t('auth.working') : submitLabel}
        </button>
        {mode.value !== 'reset' && (
          <button
            type="button"
            class="google"
            ref={googleButton}
            disabled={busy.value}
            onClick={google}
            data-testid="google-sign-in"
          >
            {t('auth.google')}
          </button>
        )}
        <div class="auth-switch">
          {mode.value !== 'signup' && (
            <button type="button" class="link" onClick={() => switchTo('signup')}>
              {t('auth.toSignUp')}
            </button>
          )}
          {mode.value !== 'signin' && (
            <button type="button" class="link" onClick={() => switchTo('signin')}>
              {t('auth.toSignIn')}
            </button>
          )}
          {mode.value === 'signin' && (
            <button type="button" class="link" onClick={() => switchTo('reset')}>
              {t('auth.toReset')}
            </button>
          )}
        </div>
      </form>
      {pickingGoogleAccount.value && (
        <EmulatedGoogleDialog
          onPick={(account) => void signInWithGoogle(account)}
          onCancel={() => {
            pickingGoogleAccount.value = false;
            // Back where the keyboard user was before the picker opened.
            googleButton.current?.focus();
          }}
        />
      )}
    </>
  );
}
