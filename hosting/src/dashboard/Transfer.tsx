import { type DeviceTransfer, SHARING_ERRORS, TRANSFER_ERRORS } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { useFormAction } from '../lib/form-action.ts';
import { shareErrorMessage } from './Sharing.tsx';

/** Transfer failures in the user's language (the recipient rules are the same as sharing's). */
export function transferErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === SHARING_ERRORS.recipientUnverified)
    return t('transfer.error.unverified');
  return shareErrorMessage(error);
}

/** Owner-only: give the device to another account; it is theirs once they accept while signed in. */
export function Transfer(props: { deviceId: string }) {
  const path = `/devices/${encodeURIComponent(props.deviceId)}/transfer`;
  const pending = useSignal<DeviceTransfer | null | undefined>(undefined);
  const email = useSignal('');
  const form = useFormAction(transferErrorMessage);
  const { busy, error, notice } = form;

  async function load() {
    try {
      pending.value = await api<DeviceTransfer>('GET', path);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === TRANSFER_ERRORS.noTransfer) pending.value = null;
      else throw caught;
    }
  }

  useEffect(() => {
    load().catch((caught: unknown) => {
      error.value = transferErrorMessage(caught);
    });
  }, [path]);

  const offer = pending.value;
  return (
    <section class="card" aria-labelledby="transfer-title" data-testid="transfer">
      <h2 id="transfer-title">{t('transfer.title')}</h2>
      <p class="hint">{t('transfer.hint')}</p>
      {offer ? (
        <div class="row" data-testid="transfer-pending">
          <span style={{ overflowWrap: 'anywhere', flex: 1 }}>
            {t('transfer.pending', { email: offer.to_email })}
          </span>
          <button
            type="button"
            class="danger"
            disabled={busy.value}
            onClick={() =>
              form.run(async () => {
                await api('DELETE', path);
                await load();
              }, t('transfer.cancelled'))
            }
          >
            {t('transfer.cancel')}
          </button>
        </div>
      ) : (
        offer === null && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const address = email.value.trim();
              if (!address) return;
              void form.run(
                async () => {
                  await api<DeviceTransfer>('POST', path, { email: address });
                  email.value = '';
                  await load();
                },
                t('transfer.sent', { email: address }),
              );
            }}
          >
            <label>
              {t('transfer.email')}
              <input
                type="email"
                autoComplete="off"
                required
                value={email.value}
                onInput={(e) => {
                  email.value = e.currentTarget.value;
                }}
              />
            </label>
            <button type="submit" disabled={busy.value}>
              {t('transfer.send')}
            </button>
          </form>
        )
      )}
      <FormMessages error={error.value} notice={notice.value} />
    </section>
  );
}
