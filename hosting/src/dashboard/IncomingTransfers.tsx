import { type DeviceTransfer, type ListTransfersResponse, TRANSFER_ERRORS } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useFormAction } from '../lib/form-action.ts';
import { typeLabel } from './labels.ts';

function incomingErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === TRANSFER_ERRORS.emailUnverified) return t('transfer.error.verifyFirst');
    if (error.code === TRANSFER_ERRORS.expired) return t('transfer.error.expired');
    if (error.code === TRANSFER_ERRORS.stale || error.code === TRANSFER_ERRORS.noTransfer)
      return t('transfer.error.gone');
  }
  return errorMessage(error);
}

/** Dashboard card: devices someone is giving to this account, to accept or decline while signed in. */
export function IncomingTransfers(props: { uid: string }) {
  const path = `/users/${encodeURIComponent(props.uid)}/transfers`;
  const transfers = useSignal<DeviceTransfer[]>([]);
  const form = useFormAction(incomingErrorMessage);
  const { busy, error, notice } = form;

  async function load() {
    transfers.value = (await api<ListTransfersResponse>('GET', path)).transfers;
  }

  useEffect(() => {
    load().catch(() => undefined); // the card is extra; the device list reports its own errors
  }, [path]);

  if (transfers.value.length === 0 && !error.value && !notice.value) return null;
  return (
    <section class="card" aria-labelledby="incoming-title" data-testid="incoming-transfers">
      <h2 id="incoming-title">{t('transfer.incoming.title')}</h2>
      <ul style={{ listStyle: 'none', padding: 0 }}>
        {transfers.value.map((offer) => {
          const item = `${path}/${encodeURIComponent(offer.device_id)}`;
          const after = () => load().catch(() => undefined);
          return (
            <li key={offer.device_id} class="row" data-testid={`incoming-${offer.device_id}`}>
              <span style={{ overflowWrap: 'anywhere', flex: 1 }}>
                {t('transfer.incoming.offer', {
                  email: offer.from_email ?? '—',
                  name: offer.device_name,
                  type: typeLabel(offer.device_type),
                })}
              </span>
              <button
                type="button"
                class="primary"
                disabled={busy.value}
                onClick={() =>
                  form.run(
                    async () => {
                      await api('POST', `${item}/accept`);
                      await after();
                    },
                    t('transfer.incoming.accepted', { name: offer.device_name }),
                  )
                }
              >
                {t('transfer.incoming.accept')}
              </button>
              <button
                type="button"
                disabled={busy.value}
                onClick={() =>
                  form.run(async () => {
                    await api('DELETE', item);
                    await after();
                  }, t('transfer.incoming.declined'))
                }
              >
                {t('transfer.incoming.decline')}
              </button>
            </li>
          );
        })}
      </ul>
      <FormMessages error={error.value} notice={notice.value} />
    </section>
  );
}
