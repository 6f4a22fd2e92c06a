import { useEffect } from 'preact/hooks';
import { at } from './i18n.ts';
import { unreadCount, watchNotifications } from './store.ts';

/** The header bell: the unread count, live; a link to the notification centre. */
export default function Bell(props: { uid: string }) {
  useEffect(() => watchNotifications(props.uid), [props.uid]);
  const count = unreadCount.value;
  return (
    <a
      href="/notifications"
      class="bell"
      data-testid="bell"
      aria-label={count > 0 ? `${at('bell.label')}: ${at('bell.unread', { count })}` : at('bell.label')}
    >
      <span aria-hidden="true">🔔</span>
      {count > 0 && (
        <span class="badge" data-testid="bell-count">
          {count > 99 ? '99+' : count}
        </span>
      )}
    </a>
  );
}
