import { z } from 'zod';
import type { DeviceType } from './catalogue.ts';

// The support portal's shared contract (docs/SUPPORT.md): tickets and their messages, the operator console's
// search, device view, timeline, actions and audit log. The functions, the web app and the tests use these.

export const TICKET_STATUSES = ['open', 'waiting_on_customer', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** What the device looked like when the customer asked for help (taken by the API, never by the client). */
export interface DeviceSnapshot {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  firmware: string;
  status: string;
  online: boolean;
  last_seen: string | null;
  rssi: number | null;
  recent_errors: { at: string | null; message: string }[];
}

export interface Ticket {
  ticket_id: string;
  /** Short human number for phone calls and search ("#1042"). */
  number: number;
  customer_uid: string;
  customer_email: string | null;
  device_id: string | null;
  device_type: DeviceType | null;
  firmware: string | null;
  subject: string;
  description: string;
  language: 'th' | 'en';
  status: TicketStatus;
  assignee_uid: string | null;
  snapshot: DeviceSnapshot | null;
  created_at: string;
  updated_at: string;
  first_response_at: string | null;
  last_message_at: string;
}

export interface TicketMessage {
  message_id: string;
  author_uid: string;
  author_role: 'customer' | 'operator';
  body: string;
  created_at: string;
}

export const createTicketBodySchema = z.strictObject({
  device_id: z.string().min(1).max(200).optional(),
  subject: z.string().trim().min(1).max(120).optional(),
  description: z.string().trim().min(1, 'describe the problem').max(4000),
  language: z.enum(['th', 'en']).optional(),
});
export const ticketMessageBodySchema = z.strictObject({ body: z.string().trim().min(1).max(4000) });
export const patchTicketBodySchema = z
  .strictObject({
    status: z.enum(TICKET_STATUSES).optional(),
    assignee_uid: z.string().min(1).max(128).nullable().optional(),
  })
  .refine((b) => b.status !== undefined || b.assignee_uid !== undefined, {
    message: 'give status or assignee_uid',
  });
export const listTicketsQuerySchema = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  customer_uid: z.string().min(1).max(128).optional(),
  device_id: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// ---- operator console ----------------------------------------------------------------------------------

export type SearchMatch = 'serial' | 'serial_prefix' | 'device_id' | 'email' | 'ticket';

export interface DeviceSummary {
  device_id: string;
  serial_number: string;
  device_type: DeviceType;
  firmware: string;
  status: string;
  online: boolean;
  last_seen: string | null;
  owner_uid: string | null;
}

export interface AdminSearchResponse {
  query: string;
  matched: SearchMatch | null;
  devices: DeviceSummary[];
  customer: { uid: string; email: string | null } | null;
  tickets: Ticket[];
}

export const adminSearchQuerySchema = z.object({ query: z.string().trim().min(1).max(200) });

export interface DeviceUser {
  uid: string;
  email: string | null;
  access_level: 'owner' | 'controller' | 'viewer';
  device_name: string;
  added_at: string | null;
}

export interface AdminDeviceView extends DeviceSummary {
  wifi_ssid: string | null;
  rssi: number | null;
  users: DeviceUser[];
  broker_registered: boolean | null;
  pending_transfer: { to_email: string | null; expires_at: string | null } | null;
}

export type TimelineKind =
  | 'status'
  | 'command'
  | 'ack'
  | 'log'
  | 'claim'
  | 'share'
  | 'transfer'
  | 'alert'
  | 'ticket'
  | 'audit';

export interface TimelineEvent {
  /** Unique within the timeline (kind + source id), stable across pages. */
  id: string;
  kind: TimelineKind;
  at: string;
  /** One line an operator reads; details in `data`. */
  summary: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface TimelineResponse {
  events: TimelineEvent[];
  /**
   * Pass as `before` for the next (older) page; null at the start of the device's history. Opaque: it holds
   * the last event's time and id, so events sharing that millisecond are neither skipped nor repeated.
   */
  next_before: string | null;
}

/** Prefix of a timeline page cursor (`before` also takes a plain ISO time: everything strictly older). */
export const TIMELINE_CURSOR_PREFIX = 'c1.';

export const timelineQuerySchema = z.object({
  before: z
    .union([
      z.iso.datetime({ offset: true }),
      z.string().regex(/^c1\.[A-Za-z0-9_-]{1,600}$/, 'not a timeline cursor'),
    ])
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const SUPPORT_ACTIONS = [
  'reissue_claim_code',
  'release',
  'transfer',
  'decommission',
  'revoke_credentials',
  'diagnostic',
  'resend_setup_link',
] as const;
export type SupportAction = (typeof SUPPORT_ACTIONS)[number];

/** Actions that lose something for the customer: the API wants `confirm` = the device's serial number. */
export const DESTRUCTIVE_ACTIONS: readonly SupportAction[] = [
  'release',
  'transfer',
  'decommission',
  'revoke_credentials',
];

const reason = z.string().trim().min(5, 'give a reason of at least 5 characters').max(500);
const confirm = z.string().trim().max(40).optional();
const ticketId = z.string().min(1).max(64).optional();

export const supportActionBodySchemas = {
  reissue_claim_code: z.strictObject({ reason, ticket_id: ticketId }),
  release: z.strictObject({ reason, confirm, ticket_id: ticketId }),
  transfer: z.strictObject({ reason, confirm, ticket_id: ticketId, email: z.email() }),
  decommission: z.strictObject({ reason, confirm, ticket_id: ticketId }),
  revoke_credentials: z.strictObject({
    reason,
    confirm,
    ticket_id: ticketId,
    rekey: z.boolean().default(true),
  }),
  diagnostic: z.strictObject({ reason, ticket_id: ticketId, command: z.enum(['ping', 'report_now']) }),
  resend_setup_link: z.strictObject({ reason, ticket_id: ticketId, email: z.email().optional() }),
} as const;

export interface AuditEntry {
  entry_id: string;
  action: SupportAction | 'ticket_update';
  device_id: string | null;
  ticket_id: string | null;
  actor_uid: string;
  actor_email: string | null;
  reason: string;
  outcome: 'done' | 'failed';
  error: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: string;
}

export const auditQuerySchema = z.object({
  deviceId: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface SupportActionResponse {
  action: SupportAction;
  device_id: string;
  audit_id: string;
  /** Action-specific answer: a new claim code and setup link, a command id, a new broker password (once). */
  result: Record<string, unknown>;
}

export interface SupportMetrics {
  open_tickets: number;
  waiting_on_customer: number;
  resolved_tickets: number;
  /** Median seconds from a ticket's creation to the first operator message; null with no answered ticket. */
  median_first_response_seconds: number | null;
  by_device_type: Record<string, number>;
  by_firmware: Record<string, number>;
}

/** The self-help steps the customer sees before the ticket form, per device state (docs/SUPPORT.md). */
export type SelfHelpState = 'offline' | 'never_online' | 'online';
export function selfHelpState(device: { online: boolean; last_seen: string | null }): SelfHelpState {
  if (device.online) return 'online';
  return device.last_seen ? 'offline' : 'never_online';
}

/**
 * An email the support portal owes a customer, queued as an alert_outbox item (event `support.reply` or
 * `support.setup_link`) so the alert system's mailer (bridge/src/alerts/email.ts) sends it with its retries.
 */
export interface SupportMail {
  kind: 'reply' | 'setup_link';
  /** Where the button in the email goes: the ticket, or the setup link. */
  link: string;
  ticket_number: number | null;
  subject: string | null;
  /** The start of the operator's reply (reply only). */
  excerpt: string | null;
  serial_number: string | null;
}
