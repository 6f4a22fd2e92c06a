import { commandUpdates, firestorePaths, topics } from '@esp32cloud/protocol';
import { Timestamp } from 'firebase-admin/firestore';
import type mqtt from 'mqtt';
import { percentile } from '../lib/bench-figures.ts';
import type { Rig } from './rig.ts';

// The soak's commands, sent as the api function sends them, and its counts read back from Firestore.

export interface SentCommand {
  serial: string;
  deviceId: string;
  id: string;
  params: { relay: number; state: 'on' | 'off' };
  at: number;
}

/** As the api function does: the command document first, then the publish; a failed publish marks it failed. */
export async function sendCommands(rig: Rig, relay: mqtt.MqttClient, batch: SentCommand[]) {
  const outcome = { sent: [] as SentCommand[], brokerDown: 0, firestoreDown: 0 };
  if (!relay.connected) {
    outcome.brokerDown = batch.length;
    return outcome;
  }
  const write = rig.db.batch();
  const now = Timestamp.now();
  for (const command of batch) {
    write.set(rig.db.doc(firestorePaths.command(command.deviceId, command.id)), {
      id: command.id,
      command: 'relay',
      params: command.params,
      status: 'sent',
      requested_by: 'soak',
      created_at: now,
      sent_at: now,
    });
  }
  try {
    await withDeadline(write.commit(), 3000);
  } catch {
    outcome.firestoreDown = batch.length;
    return outcome;
  }
  await Promise.all(
    batch.map(
      (command) =>
        new Promise<void>((resolve) => {
          const payload = JSON.stringify({ v: 1, id: command.id, command: 'relay', ...command.params });
          relay.publish(topics.control(command.serial), payload, { qos: 1 }, (error) => {
            if (error) {
              outcome.brokerDown++;
              void rig.db
                .doc(firestorePaths.command(command.deviceId, command.id))
                .update(commandUpdates.sendFailed())
                .catch(() => undefined);
            } else outcome.sent.push(command);
            resolve();
          });
        }),
    ),
  );
  return outcome;
}

export async function onlineCount(rig: Rig): Promise<number> {
  const snap = await rig.db.collection('devices').where('state.online', '==', true).count().get();
  return snap.data().count;
}

export async function ackedCount(rig: Rig): Promise<number> {
  const snap = await rig.db.collectionGroup('commands').where('status', '==', 'acked').count().get();
  return snap.data().count;
}

export async function pendingCount(rig: Rig): Promise<number> {
  const snap = await rig.db
    .collectionGroup('commands')
    .where('status', 'in', ['queued', 'sent'])
    .count()
    .get();
  return snap.data().count;
}

export function latencyByMinute(samples: Array<{ minute: number; ms: number }>) {
  const minutes = new Map<number, number[]>();
  for (const { minute, ms } of samples) minutes.set(minute, [...(minutes.get(minute) ?? []), ms]);
  return [...minutes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([minute, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        minute,
        count: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
      };
    });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('deadline')), ms)),
  ]);
}
