import {
  API_KEY_SCOPES,
  type ApiKeyResponse,
  type ApiKeyScope,
  type CreatedApiKeyResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { dateTimeText } from '../i18n/format.ts';
import { api } from '../lib/api.ts';
import { IntegrationMessage } from './IntegrationMessage.tsx';
import { it } from './i18n.ts';
import { type IntegrationFailure, integrationError } from './plan-error.ts';

const EXPIRY_DAYS = [0, 30, 90, 365];

/** What a key's device choice needs of a device (a person's list and an organisation's both have it). */
interface KeyDevice {
  device_id: string;
  device_name: string;
}

/**
 * Create a key (shown once, with a copy button), list keys with last use, revoke. The same list serves a
 * person's keys (`/users/{uid}/api-keys`, devices from their device list) and an organisation's
 * (`/organisations/{id}/api-keys`, devices from the organisation's, each key with who created it).
 */
export function ApiKeys(props: { keysPath: string; devicesPath: string; testId?: string }) {
  const keys = useSignal<ApiKeyResponse[]>([]);
  const devices = useSignal<KeyDevice[]>([]);
  const name = useSignal('');
  const scope = useSignal<ApiKeyScope>('read');
  const chosen = useSignal<string[] | null>(null);
  const days = useSignal(90);
  const shown = useSignal<string | null>(null);
  const copied = useSignal(false);
  const message = useSignal<IntegrationFailure | null>(null);
  const base = props.keysPath;
  const load = () =>
    api<{ keys: ApiKeyResponse[] }>('GET', base).then(
      (r) => {
        keys.value = r.keys;
      },
      (error) => {
        message.value = integrationError(error);
      },
    );
  useEffect(() => {
    void load();
    void api<{ devices: KeyDevice[] }>('GET', props.devicesPath).then(
      (r) => {
        devices.value = r.devices;
      },
      () => undefined,
    );
  }, [props.keysPath, props.devicesPath]);

  const create = async (event: Event) => {
    event.preventDefault();
    message.value = null;
    try {
      const created = await api<CreatedApiKeyResponse>('POST', base, {
        name: name.value.trim(),
        scope: scope.value,
        device_ids: chosen.value?.length ? chosen.value : null,
        expires_in_days: days.value || null,
      });
      shown.value = created.api_key;
      copied.value = false;
      name.value = '';
      await load();
    } catch (error) {
      message.value = integrationError(error);
    }
  };
  const revoke = async (key: ApiKeyResponse) => {
    await api('DELETE', `${base}/${key.key_id}`).catch((error) => {
      message.value = integrationError(error);
    });
    await load();
  };
  const toggleDevice = (deviceId: string, on: boolean) => {
    const current = chosen.value ?? [];
    chosen.value = on ? [...current, deviceId] : current.filter((id) => id !== deviceId);
  };
  const when = (iso: string) => dateTimeText(new Date(iso));

  return (
    <section class="card" data-testid={props.testId ?? 'api-keys'}>
      <h2>{it('keys.title')}</h2>
      {shown.value && (
        <div class="notice" data-testid="api-key-shown" role="status">
          <p>{it('keys.shownOnce')}</p>
          <code data-testid="api-key-value">{shown.value}</code>{' '}
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(shown.value ?? '').then(() => {
                copied.value = true;
              });
            }}
          >
            {copied.value ? it('keys.copied') : it('keys.copy')}
          </button>
        </div>
      )}
      {keys.value.length === 0 ? (
        <p>{it('keys.empty')}</p>
      ) : (
        <ul data-testid="api-key-list">
          {keys.value.map((key) => (
            <li key={key.key_id} data-testid="api-key-row">
              <strong>{key.name}</strong> <code>{key.display_prefix}…</code> · {it(`scope.${key.scope}`)} ·{' '}
              {key.device_ids
                ? it('keys.someDevices', { count: key.device_ids.length })
                : it('keys.allDevices')}{' '}
              ·{' '}
              {key.last_used_at
                ? it('keys.lastUsed', { when: when(key.last_used_at) })
                : it('keys.neverUsed')}
              {key.expires_at && <> · {it('keys.expires', { when: when(key.expires_at) })}</>}
              {key.created_by && (
                <> · {it('keys.createdBy', { who: key.created_by.email ?? key.created_by.uid })}</>
              )}{' '}
              {key.revoked_at ? (
                <em>{it('keys.revoked')}</em>
              ) : (
                <button type="button" class="link" onClick={() => void revoke(key)}>
                  {it('keys.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={create} class="stack">
        <label>
          {it('keys.name')}{' '}
          <input
            required
            maxLength={64}
            value={name.value}
            onInput={(e) => (name.value = e.currentTarget.value)}
          />
        </label>
        <label>
          {it('keys.scope')}{' '}
          <select value={scope.value} onChange={(e) => (scope.value = e.currentTarget.value as ApiKeyScope)}>
            {API_KEY_SCOPES.map((s) => (
              <option key={s} value={s}>
                {it(`scope.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{it('keys.devices')}</legend>
          <label>
            <input
              type="checkbox"
              checked={chosen.value === null}
              onChange={(e) => (chosen.value = e.currentTarget.checked ? null : [])}
            />{' '}
            {it('keys.allDevices')}
          </label>
          {chosen.value !== null &&
            devices.value.map((d) => (
              <label key={d.device_id}>
                <input
                  type="checkbox"
                  checked={chosen.value?.includes(d.device_id) ?? false}
                  onChange={(e) => toggleDevice(d.device_id, e.currentTarget.checked)}
                />{' '}
                {d.device_name}
              </label>
            ))}
        </fieldset>
        <label>
          {it('keys.expiry')}{' '}
          <select value={String(days.value)} onChange={(e) => (days.value = Number(e.currentTarget.value))}>
            {EXPIRY_DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {d === 0 ? it('keys.never') : it('keys.days', { days: d })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="api-key-create">
          {it('keys.create')}
        </button>
      </form>
      <IntegrationMessage message={message.value} testId="api-keys-message" />
    </section>
  );
}
