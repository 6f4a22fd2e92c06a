import { readFileSync } from 'node:fs';
import { COMMAND_TIMEOUT_MS, DEFAULT_CLAIM_RESET_WINDOW_SECONDS } from '@esp32cloud/protocol';
import type { EmailRetryPolicy } from './alerts/email-retry.ts';

// Every setting of the ingest bridge, read once from the environment (or passed to startBridge in tests).

export interface BridgeConfig {
  mqttUrl: string;
  username: string;
  password: string;
  /**
   * Stable per instance: the broker keeps this session (and its QoS 1 backlog) while the bridge is away. The
   * broker pins each bridge account to one client id, its username (`bridge`, `bridge-2`, …): the default.
   */
  clientId: string;
  /** CA certificate (PEM) that issued the broker's, for an mqtts:// URL signed by a private CA. */
  ca?: string;
  /** 5 (Mosquitto, clusters) or 4 (the embedded broker, MQTT 3.1.1). */
  protocolVersion: 4 | 5;
  /** MQTT 5 shared-subscription group; '' subscribes plainly (one instance only). */
  shareGroup: string;
  /** How long the broker keeps the session after a disconnect (MQTT 5). */
  sessionExpirySeconds: number;
  projectId: string;
  /**
   * A heartbeat or unchanged status refreshes state.last_seen at most once per window (an hour: the write
   * budget, docs/ANALYTICS.md). Going offline writes the exact time the device was last heard.
   */
  lastSeenWindowMs: number;
  /**
   * Sensor readings are written to the device document at most once per window (outputs and online changes:
   * at once). 20 minutes keeps a sensor reporting every 30 s within 100 writes a day; every reading still
   * reaches the history (per minute).
   */
  readingsWindowMs: number;
  /** Offline after this many update intervals without a heartbeat or status. */
  heartbeatTimeoutFactor: number;
  /** update_interval assumed until a device reports its own (seconds). */
  defaultUpdateIntervalSeconds: number;
  /** How often the heartbeat-timeout sweep runs. */
  sweepIntervalMs: number;
  /** Milliseconds per protocol second (1000; tests shrink time). */
  msPerSecond: number;
  /** How long a serial → device lookup (and the device's linked users) is cached. */
  directoryTtlMs: number;
  /** Device log lines kept per device per minute; the rest are counted and dropped. */
  logsPerDevicePerMinute: number;
  /** A command without an ack after this long is marked failed (code "timeout"). */
  commandTimeoutMs: number;
  /** How often quiet devices' history hours are closed (ms of real time; hours end on the bridge clock). */
  historyTickMs: number;
  /**
   * Messages taken from the broker and not yet handled before the bridge stops reading its socket (and stops
   * acknowledging), so a burst waits at the broker, in the session, instead of in this process's memory.
   */
  maxQueuedMessages: number;
  /** How long a reported factory reset lets the printed label claim the unit (seconds). */
  claimResetWindowSeconds: number;
  /** Alert evaluation and delivery (docs/ALERTS.md). */
  alerts: AlertDeliveryConfig;
}

export interface AlertDeliveryConfig {
  /** false: this instance neither evaluates rules nor delivers (e.g. a dedicated ingest-only instance). */
  enabled: boolean;
  /** smtp(s)://user:password@host:port; '' sends no email (items are marked skipped). Never logged. */
  smtpUrl: string;
  mailFrom: string;
  /** Public origin of the web app, for links in emails. */
  appUrl: string;
  /** Public origin of the API, for the unsubscribe link. */
  apiUrl: string;
  webhookAttempts: number;
  webhookInitialDelayMs: number;
  webhookMaxDelayMs: number;
  webhookTimeoutMs: number;
  /** An endpoint is disabled after this many deliveries in a row failed (every retry spent). */
  webhookDisableAfter: number;
  /** An email the SMTP relay refused is tried again after a doubling pause, up to this many attempts. */
  emailRetry: EmailRetryPolicy;
  /** Entries each endpoint's delivery log keeps (the oldest beyond are deleted). */
  webhookDeliveryLogKeep: number;
  /** How long an instance owns an outbox item it claimed before another may retry it. */
  outboxLeaseMs: number;
  /** How often held items (quiet hours) are checked for being due. */
  outboxPollMs: number;
}

function env(source: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = source[name];
  return value === undefined || value === '' ? fallback : value;
}

function num(source: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const parsed = Number(env(source, name, String(fallback)));
  return Number.isFinite(parsed) ? parsed : fallback;
}

export function configFromEnv(source: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const username = env(source, 'BRIDGE_MQTT_USERNAME', 'bridge');
  const caFile = env(source, 'MQTT_CA_FILE', '');
  return {
    mqttUrl: env(source, 'MQTT_URL', 'mqtt://127.0.0.1:1883'),
    username,
    password: env(source, 'BRIDGE_MQTT_PASSWORD', ''),
    clientId: env(source, 'BRIDGE_CLIENT_ID', username),
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    protocolVersion: num(source, 'MQTT_PROTOCOL_VERSION', 5) === 4 ? 4 : 5,
    // Set but empty means "no group" (the embedded broker has no shared subscriptions), not "the default".
    shareGroup: source.BRIDGE_SHARE_GROUP ?? 'bridge',
    sessionExpirySeconds: num(source, 'BRIDGE_SESSION_EXPIRY_SECONDS', 7 * 24 * 3600),
    projectId: env(source, 'GCLOUD_PROJECT', 'demo-esp32-cloud'),
    lastSeenWindowMs: num(source, 'BRIDGE_LAST_SEEN_WINDOW_MS', 60 * 60_000),
    readingsWindowMs: num(source, 'BRIDGE_READINGS_WINDOW_MS', 20 * 60_000),
    heartbeatTimeoutFactor: num(source, 'BRIDGE_HEARTBEAT_TIMEOUT_FACTOR', 3),
    defaultUpdateIntervalSeconds: num(source, 'BRIDGE_DEFAULT_UPDATE_INTERVAL', 30),
    sweepIntervalMs: num(source, 'BRIDGE_SWEEP_INTERVAL_MS', 5000),
    msPerSecond: 1000,
    directoryTtlMs: num(source, 'BRIDGE_DIRECTORY_TTL_MS', 60_000),
    logsPerDevicePerMinute: num(source, 'BRIDGE_LOGS_PER_DEVICE_PER_MINUTE', 60),
    commandTimeoutMs: num(source, 'BRIDGE_COMMAND_TIMEOUT_MS', COMMAND_TIMEOUT_MS),
    historyTickMs: num(source, 'BRIDGE_HISTORY_TICK_MS', 30_000),
    maxQueuedMessages: num(source, 'BRIDGE_MAX_QUEUED_MESSAGES', 20_000),
    alerts: {
      enabled: env(source, 'BRIDGE_ALERTS', 'on') !== 'off',
      smtpUrl: env(source, 'SMTP_URL', ''),
      mailFrom: env(source, 'ALERT_MAIL_FROM', 'ESP32 Cloud <alerts@esp32cloud.invalid>'),
      appUrl: env(source, 'APP_URL', 'http://127.0.0.1:5000'),
      apiUrl: env(source, 'API_URL', env(source, 'APP_URL', 'http://127.0.0.1:5000')),
      webhookAttempts: num(source, 'WEBHOOK_ATTEMPTS', 5),
      webhookInitialDelayMs: num(source, 'WEBHOOK_RETRY_INITIAL_MS', 2000),
      webhookMaxDelayMs: num(source, 'WEBHOOK_RETRY_MAX_MS', 60_000),
      webhookTimeoutMs: num(source, 'WEBHOOK_TIMEOUT_MS', 10_000),
      webhookDisableAfter: num(source, 'WEBHOOK_DISABLE_AFTER_FAILURES', 10),
      webhookDeliveryLogKeep: num(source, 'WEBHOOK_DELIVERY_LOG_KEEP', 200),
      emailRetry: {
        attempts: num(source, 'EMAIL_ATTEMPTS', 6),
        firstPauseMs: num(source, 'EMAIL_RETRY_INITIAL_MS', 60_000),
        maxPauseMs: num(source, 'EMAIL_RETRY_MAX_MS', 30 * 60_000),
      },
      outboxLeaseMs: num(source, 'ALERT_OUTBOX_LEASE_MS', 5 * 60_000),
      outboxPollMs: num(source, 'ALERT_OUTBOX_POLL_MS', 15_000),
    },
    claimResetWindowSeconds: num(source, 'CLAIM_RESET_WINDOW_SECONDS', DEFAULT_CLAIM_RESET_WINDOW_SECONDS),
  };
}
