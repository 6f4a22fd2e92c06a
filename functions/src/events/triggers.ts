import type { Firestore } from 'firebase-admin/firestore';
import { logs } from '../logs.ts';
import { alertEvents, commandEvents, type DetectedEvent, ownershipEvents, presenceEvents } from './detect.ts';
import { queueEventWebhooks } from './queue.ts';

// The handlers behind the event-webhook Firestore triggers (wired in ../index.ts). Each watches a document
// written only when something happens (a presence change, an owner link, a command's state, an alert), never
// one written per device message, so the triggers cost no invocation or write per telemetry message.

type Data = Record<string, unknown> | null | undefined;

export interface TriggerChange {
  id: string;
  time: string;
  params: Record<string, string>;
  before: Data;
  after: Data;
}

async function run(
  db: Firestore,
  change: TriggerChange,
  deviceId: string,
  events: DetectedEvent[],
  skipWebhookIds?: string[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    const queued = await queueEventWebhooks(
      db,
      { sourceId: change.id, deviceId, occurredAt: change.time, skipWebhookIds },
      events,
    );
    if (queued > 0) logs.eventWebhooksQueued(events.map((e) => e.event).join(','), deviceId, queued);
  } catch (error) {
    logs.eventWebhooksFailed(events.map((e) => e.event).join(','), deviceId, error);
    throw error; // the trigger is retried (where retries are on); item ids keep it from queueing twice
  }
}

export const onPresenceChange = (db: Firestore, change: TriggerChange) =>
  run(db, change, change.params.deviceId, presenceEvents(change.after));

export const onOwnerLinkWrite = (db: Firestore, change: TriggerChange) => {
  const link = change.after ?? change.before;
  return run(db, change, String(link?.device_id ?? ''), ownershipEvents(change.before, change.after));
};

export const onCommandWrite = (db: Firestore, change: TriggerChange) =>
  run(db, change, change.params.deviceId, commandEvents(change.before, change.after));

export const onAlertWrite = (db: Firestore, change: TriggerChange) => {
  const told = (change.after?.webhooks as { webhook_id: string }[] | undefined)?.map((w) => w.webhook_id);
  return run(
    db,
    change,
    String(change.after?.device_id ?? ''),
    alertEvents(change.before, change.after),
    told,
  );
};
