import { onRequest } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { runRetention } from './analytics/retention.ts';
import { config } from './config.ts';
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
