import { COLLECTIONS, DEVICE_SUBCOLLECTIONS } from '@esp32cloud/protocol';
import { type FirestoreEvent, onDocumentWritten } from 'firebase-functions/v2/firestore';
import { onRequest } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { runRetention } from './analytics/retention.ts';
import { config } from './config.ts';
import {
  onAlertWrite,
  onCommandWrite,
  onOwnerLinkWrite,
  onPresenceChange,
  type TriggerChange,
} from './events/triggers.ts';
import { db } from './firebase.ts';
import { logs } from './logs.ts';
import { assertSafeForProduction } from './production-checks.ts';
import { createRouter } from './routes/index.ts';

// Wiring only: which triggers exist. Behaviour lives in routes/ and the modules they call.

assertSafeForProduction(process.env);

const router = createRouter();

// In production these come from Secret Manager (`firebase functions:secrets:set NAME`) and reach config.ts as
// environment variables; the emulator passes local values through the environment instead.
// Stripe's keys are secrets too; a deployment without billing simply leaves them unset (docs/BILLING.md).
const billingSecrets = process.env.BILLING === 'off' ? [] : ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'];
const secrets =
  process.env.FUNCTIONS_EMULATOR === 'true' ? [] : ['MQTT_PASSWORD', 'CLAIM_CODE_PEPPER', ...billingSecrets];

export const api = onRequest(
  { region: config.region, ...config.apiInstances, cors: true, secrets },
  (req, res) => router.handle(req, res),
);

// History retention (docs/ANALYTICS.md). The Functions emulator does not fire schedules; tests call runRetention.
export const analyticsRetention = onSchedule(
  {
    schedule: config.analytics.retentionSchedule,
    timeZone: config.analytics.retentionTimeZone,
    region: config.region,
  },
  async () => {
    try {
      await runRetention(db);
    } catch (error) {
      logs.historyRetentionFailed(error);
      throw error;
    }
  },
);

// Event webhooks (docs/API.md): documents written only when something happens become device.*, command.* and
// alert.* deliveries through the alert outbox. events/triggers.ts says which documents and why.
type WrittenEvent = FirestoreEvent<
  { before: { data(): unknown }; after: { data(): unknown } } | undefined,
  Record<string, string>
>;
const change = (event: WrittenEvent): TriggerChange => ({
  id: event.id,
  time: event.time,
  params: event.params,
  before: (event.data?.before.data() ?? null) as TriggerChange['before'],
  after: (event.data?.after.data() ?? null) as TriggerChange['after'],
});
const written = (document: string, handle: (c: TriggerChange) => Promise<void>) =>
  onDocumentWritten({ document, region: config.region }, (event) => handle(change(event as WrittenEvent)));

export const eventsPresence = written(
  `${COLLECTIONS.devices}/{deviceId}/${DEVICE_SUBCOLLECTIONS.statusChanges}/{changeId}`,
  (c) => onPresenceChange(db, c),
);
export const eventsOwnership = written(`${COLLECTIONS.userDevices}/{linkId}`, (c) => onOwnerLinkWrite(db, c));
export const eventsCommands = written(
  `${COLLECTIONS.devices}/{deviceId}/${DEVICE_SUBCOLLECTIONS.commands}/{commandId}`,
  (c) => onCommandWrite(db, c),
);
export const eventsAlerts = written(`${COLLECTIONS.alerts}/{alertId}`, (c) => onAlertWrite(db, c));
