import {
  DESTRUCTIVE_ACTIONS,
  SUPPORT_ACTIONS,
  type SupportAction,
  type SupportActionResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ot } from './i18n.ts';

/**
 * The audited actions: each needs a reason; destructive ones open a second dialog where the operator types the
 * device's serial number (the API checks it too). The answer (a new claim code, a password) is shown once.
 */
export function Actions(props: { deviceId: string; serial: string; onDone: () => void }) {
  const action = useSignal<SupportAction>('diagnostic');
  const reason = useSignal('');
  const email = useSignal('');
  const command = useSignal<'ping' | 'report_now'>('ping');
  const rekey = useSignal(true);
  const confirming = useSignal(false);
  const typed = useSignal('');
  const error = useSignal<string | null>(null);
  const done = useSignal<SupportActionResponse | null>(null);
  const busy = useSignal(false);

  const body = () => {
    const base: Record<string, unknown> = { reason: reason.value };
    if (action.value === 'transfer') base.email = email.value.trim();
    if (action.value === 'resend_setup_link' && email.value.trim()) base.email = email.value.trim();
    if (action.value === 'diagnostic') base.command = command.value;
    if (action.value === 'revoke_credentials') base.rekey = rekey.value;
    if (DESTRUCTIVE_ACTIONS.includes(action.value)) base.confirm = typed.value;
    return base;
  };
  const run = async () => {
    busy.value = true;
    error.value = null;
    done.value = null;
    try {
      done.value = await api<SupportActionResponse>(
        'POST',
        `/admin/devices/${encodeURIComponent(props.deviceId)}/actions/${action.value}`,
        body(),
      );
      reason.value = '';
      typed.value = '';
      confirming.value = false;
      props.onDone();
    } catch (caught) {
      error.value = errorMessage(caught);
      confirming.value = false;
    } finally {
      busy.value = false;
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    if (DESTRUCTIVE_ACTIONS.includes(action.value)) confirming.value = true;
    else void run();
  };
  const needsEmail = action.value === 'transfer' || action.value === 'resend_setup_link';
  return (
    <div class="card" data-testid="operator-actions">
      <h2>{ot('actions.title')}</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          {ot('actions.action')}
          <select
            value={action.value}
            data-testid="action-select"
            onChange={(e) => (action.value = e.currentTarget.value as SupportAction)}
          >
            {SUPPORT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {ot(`action.${a}`)}
              </option>
            ))}
          </select>
        </label>
        {needsEmail && (
          <label>
            {ot('actions.email')}
            <input
              type="email"
              required={action.value === 'transfer'}
              value={email.value}
              data-testid="action-email"
              onInput={(e) => (email.value = e.currentTarget.value)}
            />
          </label>
        )}
        {action.value === 'diagnostic' && (
          <label>
            {ot('actions.command')}
            <select value={command.value} onChange={(e) => (command.value = e.currentTarget.value as 'ping')}>
              <option value="ping">ping</option>
              <option value="report_now">report now</option>
            </select>
          </label>
        )}
        {action.value === 'revoke_credentials' && (
          <label>
            <input
              type="checkbox"
              checked={rekey.value}
              onChange={(e) => (rekey.value = e.currentTarget.checked)}
            />{' '}
            {ot('actions.rekey')}
          </label>
        )}
        <label>
          {ot('actions.reason')}
          <textarea
            required
            minLength={5}
            maxLength={500}
            rows={2}
            value={reason.value}
            data-testid="action-reason"
            onInput={(e) => (reason.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy.value} data-testid="action-run">
          {ot('actions.run')}
        </button>
      </form>
      {error.value && (
        <p class="error" data-testid="action-error">
          {error.value}
        </p>
      )}
      {done.value && (
        <div class="notice" data-testid="action-done">
          <p>{ot('actions.done', { id: done.value.audit_id })}</p>
          <pre style="white-space: pre-wrap">{JSON.stringify(done.value.result, null, 2)}</pre>
        </div>
      )}
      {confirming.value && (
        <div class="modal-backdrop">
          <div class="card modal-card" role="dialog" aria-modal="true" data-testid="action-confirm">
            <form
              class="modal"
              onSubmit={(e) => {
                e.preventDefault();
                void run();
              }}
            >
              <h2>{ot('actions.confirmTitle')}</h2>
              <p>
                {ot(`action.${action.value}`)}: {ot('actions.confirmText', { serial: props.serial })}
              </p>
              <input
                required
                value={typed.value}
                data-testid="action-confirm-serial"
                onInput={(e) => (typed.value = e.currentTarget.value)}
              />
              <div class="row">
                <button type="submit" disabled={busy.value} data-testid="action-confirm-go">
                  {ot('actions.confirm')}
                </button>
                <button type="button" class="link" onClick={() => (confirming.value = false)}>
                  {ot('actions.cancel')}
                </button>
              </div>
            </form>
          </div>
        </div>
      )}
    </div>
  );
}
