import { z } from 'zod';

// The integration API (docs/API.md): API keys a customer creates for their own systems, and the event
// webhooks they subscribe. Shared by the functions (which validate with these schemas), the web app's
// Integrations page and the OpenAPI document. Browser-safe: no Node imports.

/** Every API key starts with this, so secret scanners and people recognise one. */
export const API_KEY_PREFIX = 'e32k_';

/**
 * What a key may do, each including the one before: `read` reads (GET), `control` also sends device commands,
 * `admin` also changes things (rules, sharing, webhooks...) and, for an operator's key, reaches operator routes.
 */
export const API_KEY_SCOPES = ['read', 'control', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const scopeAllows = (granted: ApiKeyScope, needed: ApiKeyScope): boolean =>
  API_KEY_SCOPES.indexOf(granted) >= API_KEY_SCOPES.indexOf(needed);

/** Keys per customer, revoked ones included until deleted by the customer's revocation list cap. */
export const API_KEYS_PER_USER = 20;
export const API_KEY_MAX_DEVICES = 100;
/** Longest lifetime a key may be given, in days. */
export const API_KEY_MAX_DAYS = 730;

export const createApiKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  scope: z.enum(API_KEY_SCOPES),
  /** Device ids the key reaches; omitted or null: every device of the account, now and later. */
  device_ids: z.array(z.string().min(1).max(200)).min(1).max(API_KEY_MAX_DEVICES).nullable().optional(),
  /** Days until the key stops working; omitted or null: it never expires (revoke it instead). */
  expires_in_days: z.number().int().min(1).max(API_KEY_MAX_DAYS).nullable().optional(),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export interface ApiKeyResponse {
  key_id: string;
  name: string;
  /** The first characters of the key, to recognise it in a list (the key itself is never stored). */
  display_prefix: string;
  scope: ApiKeyScope;
  device_ids: string[] | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** Updated at most once a minute. */
  last_used_at: string | null;
  /** Organisation keys: the organisation whose devices the key reaches; null for a personal key. */
  organisation_id: string | null;
  /** Organisation keys: the admin who created it (kept after they leave); null for a personal key. */
  created_by: { uid: string; email: string | null } | null;
}

/** The create reply: the only time the key itself is shown. */
export interface CreatedApiKeyResponse extends ApiKeyResponse {
  api_key: string;
}

// ---- event webhooks ---------------------------------------------------------------------------------------

export const WEBHOOK_EVENTS = [
  'device.status_changed',
  'device.online',
  'device.offline',
  'command.acked',
  'command.failed',
  'alert.fired',
  'alert.resolved',
  'device.claimed',
  'device.released',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** PUT /users/{uid}/webhooks/{webhookId}/events: which platform events the endpoint receives. */
export const webhookEventsBodySchema = z.strictObject({
  events: z.array(z.enum(WEBHOOK_EVENTS)).max(WEBHOOK_EVENTS.length),
});
export type WebhookEventsBody = z.infer<typeof webhookEventsBodySchema>;

/** The body of every event webhook call (signed like alert webhooks: x-esp32cloud-signature). */
export interface EventWebhookBody {
  event: WebhookEvent;
  /** Unique per event; a receiver ignores one it has seen (deliveries are at least once). */
  event_id: string;
  occurred_at: string;
  device_id: string;
  data: Record<string, unknown>;
}
