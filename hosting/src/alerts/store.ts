import { firestorePaths, type NotificationDoc } from '@esp32cloud/protocol';
import { signal } from '@preact/signals';
import { collection, limit, onSnapshot, orderBy, query, type Unsubscribe } from 'firebase/firestore';
import { firestore } from '../firestore.ts';

// The signed-in user's notifications, live: one listener (the newest 50) shared by the bell and the centre.
// Marking read goes through the API; the listener then shows it.

export const notifications = signal<NotificationDoc[]>([]);
export const unreadCount = signal(0);

let listening: { uid: string; stop: Unsubscribe } | null = null;

export function watchNotifications(uid: string): void {
  if (listening?.uid === uid) return;
  listening?.stop();
  const q = query(
    collection(firestore(), firestorePaths.notifications(uid)),
    orderBy('fired_at', 'desc'),
    limit(50),
  );
  const stop = onSnapshot(
    q,
    (snapshot) => {
      const docs = snapshot.docs.map((d) => d.data() as NotificationDoc);
      notifications.value = docs;
      unreadCount.value = docs.filter((n) => !n.read).length;
    },
    () => {
      notifications.value = [];
      unreadCount.value = 0;
    },
  );
  listening = { uid, stop };
}

export function stopWatchingNotifications(): void {
  listening?.stop();
  listening = null;
  notifications.value = [];
  unreadCount.value = 0;
}
