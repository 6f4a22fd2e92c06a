import { useSignal } from '@preact/signals';
import type { EmulatedGoogleAccount } from '../emulated-google.ts';
import { t } from '../i18n/index.ts';
import { TextField } from './TextField.tsx';

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
          <TextField
            label={t('auth.googleEmulator.email')}
            type="email"
            name="google-email"
            autoComplete="email"
            required
            // A modal dialog moves focus into itself when it opens.
            autoFocus
            value={email.value}
            onValue={(value) => {
              email.value = value;
            }}
          />
          <TextField
            label={t('auth.googleEmulator.name')}
            type="text"
            name="google-name"
            autoComplete="name"
            value={name.value}
            onValue={(value) => {
              name.value = value;
            }}
          />
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
