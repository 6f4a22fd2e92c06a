import type { AuditEntry } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ot } from './i18n.ts';
import { OperatorOnly } from './OperatorOnly.tsx';

/** /operator/audit[?deviceId=&actor=] — the append-only record of operator actions, newest first. */
export default function AuditPage(props: { deviceId: string | null; actor: string | null }) {
  const entries = useSignal<AuditEntry[] | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    const query = new URLSearchParams({ limit: '100' });
    if (props.deviceId) query.set('deviceId', props.deviceId);
    if (props.actor) query.set('actor', props.actor);
    api<{ entries: AuditEntry[] }>('GET', `/admin/audit?${query}`)
      .then((r) => {
        entries.value = r.entries;
      })
      .catch((caught) => {
        error.value = errorMessage(caught);
      });
  }, [props.deviceId, props.actor]);
  return (
    <OperatorOnly>
      <section class="page" data-testid="operator-audit">
        <p>
          <a href="/operator">← {ot('console.title')}</a>
        </p>
        <h1>{ot('audit.title')}</h1>
        {error.value && <p class="error">{error.value}</p>}
        <ol class="stack">
          {entries.value?.map((e) => (
            <li key={e.entry_id} data-action={e.action}>
              <small>{new Date(e.at).toLocaleString()}</small> <strong>{ot(`action.${e.action}`)}</strong> (
              {e.outcome}
              {e.error ? `: ${e.error}` : ''}) · {e.actor_email ?? e.actor_uid}
              {e.device_id && (
                <>
                  {' · '}
                  <a href={`/operator/devices/${encodeURIComponent(e.device_id)}`}>{e.device_id}</a>
                </>
              )}
              <br />
              {e.reason}
              <details>
                <summary>before / after</summary>
                <pre style="white-space: pre-wrap">
                  {JSON.stringify({ before: e.before, after: e.after }, null, 2)}
                </pre>
              </details>
            </li>
          ))}
        </ol>
      </section>
    </OperatorOnly>
  );
}
