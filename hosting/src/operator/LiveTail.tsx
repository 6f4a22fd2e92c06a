import { useSignal } from '@preact/signals';
import { collection, limit, onSnapshot, orderBy, query, type Timestamp } from 'firebase/firestore';
import { useEffect } from 'preact/hooks';
import { firestore } from '../firestore.ts';
import { ot } from './i18n.ts';

interface LogLine {
  id: string;
  at: Date | null;
  level: string;
  message: string;
}

/**
 * The device's newest log lines as they arrive: a Firestore listener on devices/{id}/logs, which the rules
 * open to operators only (the bridge writes each line it receives on admin/devices/{serial}/logs).
 */
export function LiveTail(props: { deviceId: string }) {
  const lines = useSignal<LogLine[]>([]);
  useEffect(() => {
    const q = query(
      collection(firestore(), 'devices', props.deviceId, 'logs'),
      orderBy('received_at', 'desc'),
      limit(30),
    );
    return onSnapshot(
      q,
      (snap) => {
        lines.value = snap.docs.map((d) => ({
          id: d.id,
          at: (d.get('received_at') as Timestamp | null)?.toDate() ?? null,
          level: String(d.get('level')),
          message: String(d.get('message')),
        }));
      },
      () => undefined,
    );
  }, [props.deviceId]);
  return (
    <div class="card" data-testid="live-tail">
      <h2>{ot('tail.title')}</h2>
      {lines.value.length === 0 && <p>{ot('tail.empty')}</p>}
      <pre style="white-space: pre-wrap; max-height: 16rem; overflow: auto">
        {lines.value
          .map((l) => `${l.at?.toLocaleTimeString() ?? ''} ${l.level.toUpperCase()} ${l.message}`)
          .join('\n')}
      </pre>
    </div>
  );
}
