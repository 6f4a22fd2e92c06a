import { currentUser } from '../session.ts';
import { NotificationCentre } from './NotificationCentre.tsx';
import { NotificationSettings } from './NotificationSettings.tsx';
import { Webhooks } from './Webhooks.tsx';

/** /notifications — the centre, then the settings and webhooks (one lazily loaded chunk). */
export default function NotificationsPage() {
  const uid = currentUser.value!.uid;
  return (
    <section class="page narrow" data-testid="notifications-page">
      <NotificationCentre uid={uid} />
      <NotificationSettings uid={uid} />
      <Webhooks uid={uid} />
    </section>
  );
}
