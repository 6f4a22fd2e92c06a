import type { TimelineEvent, TimelineResponse } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ot } from './i18n.ts';

/** The device's merged timeline, newest first, a page at a time (GET /api/admin/devices/:id/timeline). */
export function Timeline(props: { deviceId: string; refresh: number }) {
  const events = useSignal<TimelineEvent[]>([]);
  const next = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const load = async (before: string | null) => {
    try {
      const path = `/admin/devices/${encodeURIComponent(props.deviceId)}/timeline?limit=50${
        before ? `&before=${encodeURIComponent(before)}` : ''
      }`;
      const page = await api<TimelineResponse>('GET', path);
      events.value = before ? [...events.value, ...page.events] : page.events;
      next.value = page.next_before;
    } catch (caught) {
      error.value = errorMessage(caught);
    }
  };
  useEffect(() => {
    void load(null);
  }, [props.deviceId, props.refresh]);
  return (
    <div class="card" data-testid="timeline">
      <h2>{ot('timeline.title')}</h2>
      {error.value && <p class="error">{error.value}</p>}
      {events.value.length === 0 && !error.value && <p>{ot('timeline.empty')}</p>}
      <ol class="stack">
        {events.value.map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <small>{new Date(e.at).toLocaleString()}</small> <span class="badge">{ot(`kind.${e.kind}`)}</span>{' '}
            {e.summary}
            {e.actor && <small> · {e.actor}</small>}
          </li>
        ))}
      </ol>
      {next.value && (
        <button type="button" onClick={() => void load(next.value)}>
          {ot('timeline.older')}
        </button>
      )}
    </div>
  );
}
