import type { DeviceShare, ListSharesResponse, ShareLevel, ShareResponse } from '@esp32cloud/protocol';
import { SHARING_ERRORS } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import { type MessageKey, t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useFormAction } from '../lib/form-action.ts';

const LEVEL_LABEL: Record<DeviceShare['access_level'], MessageKey> = {
  owner: 'share.level.owner',
  controller: 'share.level.controller',
  viewer: 'share.level.viewer',
};

/** Sharing failures in the user's language; a 400 here means the email (or the owner's own email). */
export function shareErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === SHARING_ERRORS.userNotFound) return t('share.error.userNotFound');
    if (error.code === SHARING_ERRORS.recipientUnverified) return t('share.error.unverified');
    if (error.status === 400) return t('share.error.invalid');
  }
  return errorMessage(error);
}

/** Owner-only: who has access to the device, and a form to give someone controller or viewer access. */
export function Sharing(props: { deviceId: string }) {
  const path = `/devices/${encodeURIComponent(props.deviceId)}/shares`;
  const shares = useSignal<DeviceShare[] | null>(null);
  const email = useSignal('');
  const level = useSignal<ShareLevel>('viewer');
  const form = useFormAction(shareErrorMessage);
  const { busy, error, notice } = form;

  async function load() {
    shares.value = (await api<ListSharesResponse>('GET', path)).shares;
  }

  useEffect(() => {
    load().catch((caught: unknown) => {
      error.value = shareErrorMessage(caught);
    });
  }, [path]);

  /** Runs a change, then reloads the list so it shows what the server now holds. */
  function run(action: () => Promise<unknown>, done: string): Promise<void> {
    return form.run(async () => {
      await action();
      await load();
    }, done);
  }

  return (
    <section class="card" aria-labelledby="share-title" data-testid="sharing">
      <h2 id="share-title">{t('share.title')}</h2>
      {shares.value === null ? (
        !error.value && (
          <p class="loading" role="status">
            {t('app.loading')}
          </p>
        )
      ) : (
        <ul class="shares" style={{ listStyle: 'none', padding: 0 }} aria-label={t('share.people')}>
          {shares.value.map((share) => (
            <li
              key={share.user_id}
              class="row"
              style={{ marginBottom: '8px' }}
              data-testid={`share-${share.user_id}`}
            >
              <span style={{ overflowWrap: 'anywhere' }}>
                {[share.display_name, share.email ?? share.user_id].filter(Boolean).join(' · ')}
              </span>
              {share.access_level === 'owner' || !share.email ? (
                <span class="hint">{t(LEVEL_LABEL[share.access_level])}</span>
              ) : (
                <select
                  value={share.access_level}
                  disabled={busy.value}
                  aria-label={t('share.levelFor', { email: share.email })}
                  onChange={(e) => {
                    const next = e.currentTarget.value as ShareLevel;
                    const address = share.email!;
                    void run(
                      () => api<ShareResponse>('POST', path, { email: address, access_level: next }),
                      t('share.changed', { email: address }),
                    );
                  }}
                >
                  <option value="viewer">{t('share.level.viewer')}</option>
                  <option value="controller">{t('share.level.controller')}</option>
                </select>
              )}
              {share.access_level !== 'owner' && (
                <button
                  type="button"
                  class="danger"
                  disabled={busy.value}
                  aria-label={t('share.removeFor', { email: share.email ?? share.user_id })}
                  onClick={() =>
                    run(
                      () => api('DELETE', `${path}/${encodeURIComponent(share.user_id)}`),
                      t('share.removed'),
                    )
                  }
                >
                  {t('share.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const address = email.value.trim();
          if (!address) return;
          void run(
            async () => {
              await api<ShareResponse>('POST', path, { email: address, access_level: level.value });
              email.value = '';
            },
            t('share.added', { email: address }),
          );
        }}
      >
        <TextField
          label={t('share.email')}
          type="email"
          autoComplete="off"
          required
          value={email.value}
          onValue={(value) => {
            email.value = value;
          }}
        />
        <label>
          {t('share.level')}
          <select
            value={level.value}
            onChange={(e) => {
              level.value = e.currentTarget.value as ShareLevel;
            }}
          >
            <option value="viewer">{t('share.level.viewer')}</option>
            <option value="controller">{t('share.level.controller')}</option>
          </select>
        </label>
        <p class="hint">{t('share.levelHint')}</p>
        <button type="submit" disabled={busy.value}>
          {t('share.add')}
        </button>
      </form>
      <FormMessages error={error.value} notice={notice.value} />
    </section>
  );
}
