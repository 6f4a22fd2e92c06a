import { type AlertLimits, DEFAULT_ALERT_LIMITS } from '@esp32cloud/protocol';

// Every setting the functions read, in one place. Locally the emulator suite passes these through the
// environment; in production they come from functions/.env.<project> or Secret Manager (MQTT_PASSWORD).

/** The public pepper local runs use; production refuses to start with it (production-checks.ts). */
export const DEVELOPMENT_CLAIM_CODE_PEPPER = 'esp32cloud-local-development-pepper';

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function intEnv(name: string, fallback: number): number {
  const parsed = Number.parseInt(env(name, String(fallback)), 10);
  return Number.isFinite(parsed) ? parsed : fallback;
}

export const config = {
  version: env('ESP32_CLOUD_VERSION', '0.1.0'),
  /** Next to the broker (Singapore): every command is one publish from here to it (docs/SCALING.md). */
  region: 'asia-southeast1',
  /**
   * The api function's instances (read at deploy time from functions/.env.<project>; docs/SCALING.md,
   * "Production settings"). One instance serves `concurrency` requests at once over one broker connection and
   * one Firestore channel; `minInstances` above 0 keeps that many warm (billed while idle) so no user waits
   * for a cold start.
   */
  apiInstances: {
    concurrency: intEnv('API_CONCURRENCY', 80),
    cpu: 1,
    memory: '512MiB' as const,
    minInstances: intEnv('API_MIN_INSTANCES', 0),
    maxInstances: intEnv('API_MAX_INSTANCES', 100),
  },
  projectId: env('GCLOUD_PROJECT', env('GCP_PROJECT', 'demo-esp32-cloud')),
  /** Public origin of the web app, used in setup links. */
  appUrl: env('APP_URL', 'http://127.0.0.1:5000'),
  firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST ?? null,
  authEmulatorHost: process.env.FIREBASE_AUTH_EMULATOR_HOST ?? null,
  mqtt: {
    url: env('MQTT_URL', 'mqtt://127.0.0.1:1883'),
    username: env('MQTT_USERNAME', 'functions-relay'),
    password: env('MQTT_PASSWORD', ''),
    /** CA certificate file (PEM) for an mqtts:// broker signed by a private CA (the local one of npm start). */
    caFile: env('MQTT_CA_FILE', ''),
    connectTimeoutMs: intEnv('MQTT_CONNECT_TIMEOUT_MS', 3000),
    publishTimeoutMs: intEnv('MQTT_PUBLISH_TIMEOUT_MS', 3000),
  },
  /** Device registry (claim codes, rate limits, provisioning); see docs/REGISTRY.md. */
  registry: {
    /** Server secret mixed into every claim-code hash. Set a long random value in production. */
    claimCodePepper: env('CLAIM_CODE_PEPPER', DEVELOPMENT_CLAIM_CODE_PEPPER),
    /** Broker URL flashed into devices (mqtt:// or mqtts://). */
    deviceBrokerUrl: env('DEVICE_BROKER_URL', env('MQTT_URL', 'mqtt://127.0.0.1:1883')),
    /** mqtt URL with admin credentials for the dynamic-security control topic; empty: no broker registration. */
    brokerAdminUrl: env('BROKER_ADMIN_URL', ''),
    validatePerIpPerMinute: intEnv('VALIDATE_RATE_LIMIT_PER_MINUTE', 30),
    claimFailuresPerUser: intEnv('CLAIM_FAILURES_PER_USER', 10),
    claimFailuresPerSerial: intEnv('CLAIM_FAILURES_PER_SERIAL', 20),
    claimFailuresPerAddress: intEnv('CLAIM_FAILURES_PER_ADDRESS', 50),
    claimFailureWindowSeconds: intEnv('CLAIM_FAILURE_WINDOW_SECONDS', 3600),
    /** Pending ownership transfers expire after this long. */
    transferExpirySeconds: intEnv('TRANSFER_EXPIRY_SECONDS', 7 * 24 * 3600),
    /** last_accessed is rewritten at most this often per link. */
    lastAccessedResolutionSeconds: intEnv('LAST_ACCESSED_RESOLUTION_SECONDS', 3600),
  },
  /** How the rate-limit address is read from X-Forwarded-For (http/client-address.ts, docs/SECURITY.md). */
  clientAddress: {
    /** Entries Google's front end appends after the client's: its own. */
    appendedHops: intEnv('FORWARDED_APPENDED_HOPS', 1),
    /** Comma-separated CIDR ranges of proxies between the client and the front end (Firebase Hosting's edge). */
    trustedProxies: env('TRUSTED_PROXY_CIDRS', '')
      .split(',')
      .map((range) => range.trim())
      .filter(Boolean),
  },
  /** Integration API keys and event webhooks (docs/API.md). */
  apiKeys: {
    /** last_used_at is rewritten at most this often per key. */
    lastUsedResolutionSeconds: intEnv('API_KEY_LAST_USED_RESOLUTION_SECONDS', 60),
    /**
     * A key's owner account (disabled or deleted in Firebase Auth) is looked up at most this often per owner and
     * instance: a disabled account's keys stop within this time.
     */
    ownerCheckSeconds: intEnv('API_KEY_OWNER_CHECK_SECONDS', 60),
    /** The per-plan request limit (apiRequestsPerMinute) counts in windows of this length. */
    rateWindowSeconds: 60,
  },
  /**
   * Alerts (docs/ALERTS.md). Rules per device and webhooks per customer come from the customer's plan
   * (plans/enforce.ts); of `limits` only the daily cap figures are read.
   */
  alerts: {
    limits: {
      rulesPerDevice: intEnv('ALERT_RULES_PER_DEVICE', DEFAULT_ALERT_LIMITS.rulesPerDevice),
      webhooksPerUser: intEnv('ALERT_WEBHOOKS_PER_USER', DEFAULT_ALERT_LIMITS.webhooksPerUser),
      dailyCapMax: intEnv('ALERT_DAILY_CAP_MAX', DEFAULT_ALERT_LIMITS.dailyCapMax),
      dailyCapDefault: intEnv('ALERT_DAILY_CAP_DEFAULT', DEFAULT_ALERT_LIMITS.dailyCapDefault),
    } satisfies AlertLimits,
    webhookTestTimeoutMs: intEnv('WEBHOOK_TEST_TIMEOUT_MS', 5000),
  },
  /** Device history and fleet analytics (docs/ANALYTICS.md). */
  analytics: {
    // Retention per customer is the plan's historyDetailDays/historySummaryDays (plans/entitlements.ts).
    /** When the retention cleanup runs (Cloud Scheduler syntax), in the company's time zone. */
    retentionSchedule: env('HISTORY_RETENTION_SCHEDULE', 'every day 03:30'),
    retentionTimeZone: 'Asia/Bangkok',
    retentionDevicePage: intEnv('HISTORY_RETENTION_DEVICE_PAGE', 200),
    retentionBatchSize: intEnv('HISTORY_RETENTION_BATCH', 400),
    /** Commands listed in one history answer. */
    historyMaxCommands: intEnv('HISTORY_MAX_COMMANDS', 500),
    topErrorCodes: 10,
  },
  /** The support portal (docs/SUPPORT.md). */
  support: {
    /** Serial-prefix search results at most. */
    searchLimit: intEnv('SUPPORT_SEARCH_LIMIT', 20),
    /** Error log lines copied into a ticket's device snapshot. */
    snapshotErrors: intEnv('SUPPORT_SNAPSHOT_ERRORS', 5),
    /** Tickets the metrics read at most (newest first); past this the figures cover the newest ones. */
    metricsTicketScan: intEnv('SUPPORT_METRICS_TICKET_SCAN', 5000),
    /** Tickets one customer may open per hour. */
    ticketsPerCustomerPerHour: intEnv('SUPPORT_TICKETS_PER_HOUR', 10),
  },
  /**
   * Subscription billing with Stripe (docs/BILLING.md). Billing is on when STRIPE_SECRET_KEY is set (Secret
   * Manager in production); off, plans are set by operators only and the billing routes answer 503
   * billing_disabled. The API host/port/protocol point the stripe package at the local stand-in
   * (tools/stripe-standin) when running here; in production they stay Stripe's own.
   */
  billing: {
    secretKey: env('STRIPE_SECRET_KEY', ''),
    webhookSecret: env('STRIPE_WEBHOOK_SECRET', ''),
    apiHost: env('STRIPE_API_HOST', ''),
    apiPort: intEnv('STRIPE_API_PORT', 443),
    apiProtocol: env('STRIPE_API_PROTOCOL', 'https') as 'http' | 'https',
    /** Stripe Price ids of the paid plans' monthly subscriptions (THB). */
    prices: {
      pro: env('STRIPE_PRICE_PRO', ''),
      business: env('STRIPE_PRICE_BUSINESS', ''),
    },
    /** Invoices kept on the account's billing document (newest first). */
    invoicesKept: intEnv('BILLING_INVOICES_KEPT', 24),
  },
  /** Upper bound for a health probe of one backend. */
  healthProbeTimeoutMs: intEnv('HEALTH_PROBE_TIMEOUT_MS', 1500),
} as const;
