import { z } from 'zod';
import type { WebhookEvent } from './integration.ts';
import type { PlanId } from './plans.ts';

// Alert rules, notifications, notification settings and webhooks (issue 14, docs/ALERTS.md): the request
// schemas the API validates with, the document shapes the bridge writes and the web app reads, and the
// default limits. Browser-safe: no Node imports.

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_CHANNELS = ['in_app', 'email', 'webhook'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export const ALERT_LANGUAGES = ['th', 'en'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];

/**
 * Limits of the free plan. Named per limit so a plans feature can hand a different object per plan; the
 * functions read them through config (env overrides) and never hard-code a number.
 */
export const DEFAULT_ALERT_LIMITS = {
  rulesPerDevice: 20,
  webhooksPerUser: 5,
  /** The highest daily cap a user may set (notifications per day, all channels). */
  dailyCapMax: 500,
  /** The daily cap of a user who has not chosen one. */
  dailyCapDefault: 100,
} as const;
export type AlertLimits = { [K in keyof typeof DEFAULT_ALERT_LIMITS]: number };

const MINUTES_MAX = 7 * 24 * 60;
const minutes = z.number().int('minutes must be a whole number').min(0).max(MINUTES_MAX);
const readingKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'reading must be a reading key such as "temperature"');
const outputKey = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'output must be an output key such as "relay1"');

/** The condition of a rule, by kind. */
export const alertConditionSchema = z.discriminatedUnion('kind', [
  /** The device has been offline for more than `minutes` (0: as soon as the offline detection says so). */
  z.strictObject({ kind: z.literal('offline'), minutes }),
  /** The device came back after being offline. */
  z.strictObject({ kind: z.literal('back_online') }),
  /**
   * A reading above (or below) `threshold` for at least `minutes`. It clears only once the value is back
   * past the threshold by `hysteresis`, so a value hovering at the threshold fires once.
   */
  z
    .strictObject({
      kind: z.literal('threshold'),
      reading: readingKey,
      direction: z.enum(['above', 'below']),
      threshold: z.number().finite(),
      hysteresis: z.number().finite().min(0).max(1000).default(0.5),
      minutes: minutes.default(0),
    })
    .refine((c) => Math.abs(c.threshold) < 1e9, {
      message: 'threshold is out of range',
      path: ['threshold'],
    }),
  /** An output changed (to `to`, when given): "relay 1 turned on". */
  z.strictObject({
    kind: z.literal('output_changed'),
    output: outputKey,
    to: z.union([z.boolean(), z.number(), z.string().max(32)]).optional(),
  }),
  /** No message at all from the device for `minutes`. */
  z.strictObject({ kind: z.literal('no_data'), minutes: minutes.min(1) }),
]);
export type AlertCondition = z.infer<typeof alertConditionSchema>;
export type AlertKind = AlertCondition['kind'];

const ruleName = z
  .string()
  .transform((name) => name.normalize('NFC').trim())
  .refine((name) => name.length > 0 && name.length <= 80, { message: 'name must be 1–80 characters' })
  .refine((name) => !/\p{Cc}/u.test(name), { message: 'name must not contain control characters' });

// ---- /api/devices/{deviceId}/alert-rules ----------------------------------------------------------------

export const createAlertRuleSchema = z.strictObject({
  name: ruleName.optional(),
  condition: alertConditionSchema,
  severity: z.enum(ALERT_SEVERITIES).default('warning'),
  enabled: z.boolean().default(true),
});
export type CreateAlertRuleBody = z.input<typeof createAlertRuleSchema>;

export const updateAlertRuleSchema = z
  .strictObject({
    name: ruleName.optional(),
    condition: alertConditionSchema.optional(),
    severity: z.enum(ALERT_SEVERITIES).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });

/** alert_rules/{ruleId} */
export interface AlertRuleDoc {
  rule_id: string;
  device_id: string;
  owner_uid: string;
  name: string | null;
  condition: AlertCondition;
  severity: AlertSeverity;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}
export type AlertRuleResponse = AlertRuleDoc;
export interface ListAlertRulesResponse {
  rules: AlertRuleResponse[];
}

/** alert_state/{ruleId}: written only when an episode starts or ends. */
export interface AlertStateDoc {
  rule_id: string;
  device_id: string;
  active: boolean;
  episode_id: string | null;
  /** Last output value seen by an output_changed rule. */
  value?: boolean | number | string | null;
  changed_at: string;
}

/** What an alert says, in data: the web app and the email templates render it in the reader's language. */
export interface AlertFacts {
  rule_id: string;
  rule_name: string | null;
  device_id: string;
  device_name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  /** The reading or output value that made it fire, when there is one. */
  value?: boolean | number | string;
}

/** users/{uid}/notifications/{alertId} */
export interface NotificationDoc extends AlertFacts {
  notification_id: string;
  alert_id: string;
  fired_at: string;
  resolved_at: string | null;
  read: boolean;
  read_at: string | null;
}
export interface ListNotificationsResponse {
  notifications: NotificationDoc[];
  unread: number;
}
export const listNotificationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  unread: z.enum(['true', 'false']).optional(),
});

// ---- notification settings -----------------------------------------------------------------------------

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM');

/** True when `zone` is an IANA time zone this runtime knows (Asia/Bangkok, Europe/London…). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const quietHoursSchema = z.strictObject({
  start: clock,
  end: clock,
  time_zone: z.string().max(64).refine(isTimeZone, { message: 'time_zone must be an IANA time zone' }),
});
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const notificationSettingsSchema = z.strictObject({
  language: z.enum(ALERT_LANGUAGES),
  /** Channels per severity. */
  channels: z.strictObject({
    info: z.array(z.enum(ALERT_CHANNELS)).max(3),
    warning: z.array(z.enum(ALERT_CHANNELS)).max(3),
    critical: z.array(z.enum(ALERT_CHANNELS)).max(3),
  }),
  /** Email and webhooks are held during these hours; the in-app entry is not. */
  quiet_hours: quietHoursSchema.nullable(),
  daily_cap: z.number().int().min(1),
  /** Shared devices whose owner's alerts this user receives (the owner always receives them). */
  subscriptions: z.record(z.string().max(200), z.boolean()),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export function defaultNotificationSettings(
  limits: AlertLimits = DEFAULT_ALERT_LIMITS,
): NotificationSettings {
  return {
    language: 'th',
    channels: { info: ['in_app'], warning: ['in_app', 'email'], critical: ['in_app', 'email', 'webhook'] },
    quiet_hours: null,
    daily_cap: limits.dailyCapDefault,
    subscriptions: {},
  };
}

/** notification_settings/{uid}: the settings plus the address email goes to (the account's, set by the API). */
export interface NotificationSettingsDoc extends NotificationSettings {
  email: string | null;
  updated_at: string;
}

/**
 * True when `ms` falls inside the quiet hours, read on the user's own clock. A window whose end is before its
 * start spans midnight (22:00–07:00).
 */
export function inQuietHours(quiet: QuietHours | null, ms: number): boolean {
  if (!quiet) return false;
  const minute = localMinuteOfDay(quiet.time_zone, ms);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first moment at or after `ms` outside the quiet hours (minute resolution). */
export function quietHoursEnd(quiet: QuietHours | null, ms: number): number {
  if (!inQuietHours(quiet, ms) || !quiet) return ms;
  const minute = localMinuteOfDay(quiet.time_zone, ms);
  const end = toMinutes(quiet.end);
  const wait = (end - minute + 24 * 60) % (24 * 60);
  const startOfMinute = ms - (ms % 60_000);
  return startOfMinute + wait * 60_000;
}

function toMinutes(clockTime: string): number {
  const [h, m] = clockTime.split(':').map(Number);
  return h * 60 + m;
}

function localMinuteOfDay(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

// ---- webhooks --------------------------------------------------------------------------------------------

export const createWebhookSchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine(
      (url) => {
        try {
          const parsed = new URL(url);
          return parsed.protocol === 'https:' || parsed.protocol === 'http:';
        } catch {
          return false;
        }
      },
      { message: 'url must be an http(s) URL' },
    ),
  description: z.string().trim().max(120).optional(),
});

/** What the API shows of a webhook: never its secret (shown once, in the create reply). */
export interface WebhookResponse {
  webhook_id: string;
  url: string;
  description: string | null;
  enabled: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: string;
  /** Platform events the endpoint also receives (event webhooks, docs/API.md). */
  events: WebhookEvent[];
  /** Set while the customer's plan lacks what this endpoint is for: its calls are not sent (and logged as
   * held), its settings stay; null when everything it is set up for goes out. */
  held_by_plan: WebhookPlanHold | null;
}
/** Which of an endpoint's calls the current plan holds back, and the plan that would send them again. */
export interface WebhookPlanHold {
  alerts: boolean;
  events: boolean;
  plan: PlanId;
  upgradeTo: PlanId | null;
}
export interface CreateWebhookResponse extends WebhookResponse {
  /** The HMAC-SHA256 signing secret, shown once. */
  secret: string;
}
export interface ListWebhooksResponse {
  webhooks: WebhookResponse[];
}
export interface WebhookDeliveryResponse {
  delivery_id: string;
  event: string;
  ok: boolean;
  status: number | null;
  attempts: number;
  error: string | null;
  at: string;
  /** true: not sent because the customer's plan no longer includes this kind of call (a downgrade). */
  held_by_plan?: boolean;
}
export interface TestWebhookResponse {
  delivery: WebhookDeliveryResponse;
}

/** The JSON body of every alert webhook call. */
export interface AlertWebhookBody {
  event: 'alert.fired' | 'alert.resolved' | 'webhook.test';
  alert_id: string | null;
  occurred_at: string;
  alert?: AlertFacts;
}
