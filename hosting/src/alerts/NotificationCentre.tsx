import { describeAlert, type NotificationDoc } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { dateTimeText } from '../i18n/format.ts';
import { language } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { at } from './i18n.ts';
import { notifications, watchNotifications } from './store.ts';

/** The notification centre: newest first, unread marked, "mark read" through the API. */
export function NotificationCentre(props: { uid: string }) {
  useEffect(() => watchNotifications(props.uid), [props.uid]);
  const list = notifications.value;
  const lang = language.value;
  const error = useSignal<string | null>(null);
  const markRead = async (n: NotificationDoc) => {
    error.value = null;
    try {
      await api('POST', `/users/${props.uid}/notifications/${encodeURIComponent(n.notification_id)}/read`);
    } catch (caught) {
      error.value = errorMessage(caught);
    }
  };
  return (
    <section class="card" aria-labelledby="centre-title" data-testid="notification-centre">
      <h2 id="centre-title">{at('centre.title')}</h2>
      {list.length === 0 && <p class="hint">{at('centre.empty')}</p>}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <ul class="notifications">
        {list.map((n) => (
          <li
            key={n.notification_id}
            class={`notification-entry ${n.read ? 'read' : 'unread'}`}
            data-testid="notification"
          >
            <strong>{at(`severity.${n.severity}`)}</strong> {describeAlert(n, lang)}
            <br />
            <small>
              {dateTimeText(new Date(n.fired_at), lang)} ·{' '}
              {n.resolved_at ? at('centre.resolved') : at('centre.active')}
            </small>{' '}
            {!n.read && (
              <button type="button" class="link" onClick={() => void markRead(n)}>
                {at('centre.markRead')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
