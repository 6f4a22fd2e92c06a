import { useSignal } from '@preact/signals';
import type { EmulatedGoogleAccount } from '../emulated-google.ts';
import { t } from '../i18n/index.ts';

/**
 * The local stand-in for Google's account picker (local runs only: the Auth emulator has no real Google).
 * Asks which Google account to be; the caller signs in with it. Escape or Cancel closes it.
 */
export function EmulatedGoogleDialog(props: {
  onPick: (account: EmulatedGoogleAccount) => void;
  onCancel: () => void;
}) {
  const email = useSignal('');
  const name = useSignal('');

  function submit(event: Event) {
    event.preventDefault();
    if (!email.value.trim()) return;
    props.onPick({ email: email.value.trim(), name: name.value.trim() });
  }

  return (
    <div class="modal-backdrop">
      <div
        class="card modal-card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="emulated-google-title"
        aria-describedby="emulated-google-note"
        data-testid="emulated-google"
      >
        <form
          class="modal"
          onSubmit={submit}
          onKeyDown={(event) => {
            if (event.key === 'Escape') props.onCancel();
          }}
        >
          <h2 id="emulated-google-title">{t('auth.googleEmulator.title')}</h2>
          <p id="emulated-google-note" class="notice">
            {t('auth.googleEmulator.note')}
          </p>
          <label>
            {t('auth.googleEmulator.email')}
            <input
              type="email"
              name="google-email"
              autoComplete="email"
              required
              // biome-ignore lint/a11y/noAutofocus: a modal dialog moves focus into itself when it opens
              autoFocus
              value={email.value}
              onInput={(e) => {
                email.value = e.currentTarget.value;
              }}
            />
          </label>
          <label>
            {t('auth.googleEmulator.name')}
            <input
              type="text"
              name="google-name"
              autoComplete="name"
              value={name.value}
              onInput={(e) => {
                name.value = e.currentTarget.value;
              }}
            />
          </label>
          <button type="submit" class="primary">
            {t('auth.googleEmulator.submit')}
          </button>
          <button type="button" class="link" onClick={props.onCancel}>
            {t('auth.googleEmulator.cancel')}
          </button>
        </form>
      </div>
    </div>
  );
}
