// Every Firestore collection and document path of the platform (docs/DATA_MODEL.md), owned once: the
// functions, the bridge and the web app build their references from these, so a renamed collection or a new
// subcollection is one edit. Plain strings only (no SDK types), so the Admin and the web SDK both use them.

export const COLLECTIONS = {
  devices: 'devices',
  userDevices: 'user_devices',
  deviceConfigs: 'device_configs',
  deviceSecrets: 'device_secrets',
  serials: 'serials',
  batches: 'batches',
  rateLimits: 'rate_limits',
  /** Alert rules (one document per rule, device_id field); written only by the API. */
  alertRules: 'alert_rules',
  /** Per-rule episode state (active, episode id), written only by the bridge in transactions. */
  alertState: 'alert_state',
  /** One document per fired alert episode. */
  alerts: 'alerts',
  /** users/{uid}/notifications: the in-app notification centre. */
  users: 'users',
  /** notification_settings/{uid}: channels per severity, quiet hours, daily cap, language. */
  notificationSettings: 'notification_settings',
  /** Webhook endpoints with their signing secrets: server-only. */
  webhooks: 'webhooks',
  /** Email and webhook deliveries waiting (quiet hours) or in flight: server-only. */
  alertOutbox: 'alert_outbox',
  /** alert_usage/{uid}_{day}: notifications counted against the daily cap: server-only. */
  alertUsage: 'alert_usage',
  /** email_unsubscribe/{token} → uid: server-only. */
  emailUnsubscribe: 'email_unsubscribe',
  /** transfers/{deviceId}: at most one pending ownership transfer per device (API only, no client rule). */
  transfers: 'transfers',
  /** support_tickets/{ticketId}: customer help requests (docs/SUPPORT.md); the customer and operators read. */
  supportTickets: 'support_tickets',
  /** support_audit/{entryId}: append-only record of operator actions; operators read, nobody writes by client. */
  supportAudit: 'support_audit',
  /** support_counters/{name}: the ticket number sequence (server only). */
  supportCounters: 'support_counters',
  /** plans/{planId}: entitlement overrides of packages/protocol's DEFAULT_PLANS; operators edit, all read. */
  plans: 'plans',
  /** usage_monthly/{uid}_{YYYY-MM}: metering per customer per month (api_calls, messages, devices); server-only. */
  usageMonthly: 'usage_monthly',
  /** api_keys/{sha256 of the key}: integration API keys, hashed (docs/API.md); server-only. */
  apiKeys: 'api_keys',
  /** billing_accounts/{uid}: Stripe customer id, subscription state, invoices; server-only (docs/BILLING.md). */
  billingAccounts: 'billing_accounts',
  /** billing_events/{stripeEventId}: webhook events already applied (idempotency); server-only. */
  billingEvents: 'billing_events',
  /** claim_locks/{uid}: one per account, written by every claim and transfer acceptance so that two at once
   * are serialised and the device limit holds (plans/enforce.ts); server-only. */
  claimLocks: 'claim_locks',
  /** organisations/{orgId}: a Business owner's organisation (name, owner); server-only (docs/API.md). */
  organisations: 'organisations',
  /** organisation_members/{orgId}_{uid}: membership and role (admin | member); server-only. */
  organisationMembers: 'organisation_members',
  /** Read (never written) by the API's health probe. */
  health: '_health',
} as const;

/** Subcollections under devices/{deviceId}. */
export const DEVICE_SUBCOLLECTIONS = {
  commands: 'commands',
  /** Legacy daily counters (before history_days existed); read-only, removed by the retention cleanup. */
  usage: 'usage',
  logs: 'logs',
  /** One document per device per UTC hour: per-minute readings, output changes, presence (history.ts). */
  historyHours: 'history_hours',
  /** One summary per device per UTC day: reading figures, on-time, online time, counters. */
  historyDays: 'history_days',
  /** Presence history (online/offline changes), written by the bridge's status-history feature. */
  statusChanges: 'status_changes',
} as const;

/** Subcollections under support_tickets/{ticketId}. */
export const TICKET_SUBCOLLECTIONS = { messages: 'messages' } as const;

/** Subcollections under users/{uid}. */
export const USER_SUBCOLLECTIONS = { notifications: 'notifications' } as const;

/** Subcollections under webhooks/{webhookId}. */
export const WEBHOOK_SUBCOLLECTIONS = { deliveries: 'deliveries' } as const;

export type DeviceSubcollection = (typeof DEVICE_SUBCOLLECTIONS)[keyof typeof DEVICE_SUBCOLLECTIONS];

/** A user's link to a device lives at user_devices/{uid}_{deviceId}: one link per user and device. */
export const userDeviceId = (uid: string, deviceId: string) => `${uid}_${deviceId}`;

/** A day's usage document id: the UTC date, yyyy-mm-dd. */
export const usageDayId = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A month's usage document id part: YYYY-MM in Asia/Bangkok (UTC+7 all year, no daylight saving). */
export const usageMonthId = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 7);

export const firestorePaths = {
  device: (deviceId: string) => `${COLLECTIONS.devices}/${deviceId}`,
  userDevice: (uid: string, deviceId: string) => `${COLLECTIONS.userDevices}/${userDeviceId(uid, deviceId)}`,
  deviceConfig: (deviceId: string) => `${COLLECTIONS.deviceConfigs}/${deviceId}`,
  deviceSecret: (deviceId: string) => `${COLLECTIONS.deviceSecrets}/${deviceId}`,
  serial: (serial: string) => `${COLLECTIONS.serials}/${serial}`,
  batch: (batchId: string) => `${COLLECTIONS.batches}/${batchId}`,
  rateLimit: (key: string) => `${COLLECTIONS.rateLimits}/${key}`,
  transfer: (deviceId: string) => `${COLLECTIONS.transfers}/${deviceId}`,
  /** devices/{deviceId}/{commands|usage|logs} */
  deviceSubcollection: (deviceId: string, name: DeviceSubcollection) =>
    `${COLLECTIONS.devices}/${deviceId}/${name}`,
  command: (deviceId: string, commandId: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.commands}/${commandId}`,
  usageDay: (deviceId: string, day: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.usage}/${day}`,
  logs: (deviceId: string) => `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.logs}`,
  historyHour: (deviceId: string, hourId: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.historyHours}/${hourId}`,
  historyDay: (deviceId: string, dayId: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.historyDays}/${dayId}`,
  /** users/{uid}: the account document; its `plan` field (a PlanId, written by billing or an operator) picks the
   * customer's entitlements. */
  user: (uid: string) => `${COLLECTIONS.users}/${uid}`,
  alertRule: (ruleId: string) => `${COLLECTIONS.alertRules}/${ruleId}`,
  alertState: (ruleId: string) => `${COLLECTIONS.alertState}/${ruleId}`,
  alert: (alertId: string) => `${COLLECTIONS.alerts}/${alertId}`,
  /** users/{uid}/notifications */
  notifications: (uid: string) => `${COLLECTIONS.users}/${uid}/${USER_SUBCOLLECTIONS.notifications}`,
  notification: (uid: string, notificationId: string) =>
    `${COLLECTIONS.users}/${uid}/${USER_SUBCOLLECTIONS.notifications}/${notificationId}`,
  notificationSettings: (uid: string) => `${COLLECTIONS.notificationSettings}/${uid}`,
  webhook: (webhookId: string) => `${COLLECTIONS.webhooks}/${webhookId}`,
  /** webhooks/{id}/deliveries: the delivery log of one endpoint. */
  webhookDeliveries: (webhookId: string) =>
    `${COLLECTIONS.webhooks}/${webhookId}/${WEBHOOK_SUBCOLLECTIONS.deliveries}`,
  outboxItem: (itemId: string) => `${COLLECTIONS.alertOutbox}/${itemId}`,
  alertUsage: (uid: string, day: string) => `${COLLECTIONS.alertUsage}/${uid}_${day}`,
  emailUnsubscribe: (token: string) => `${COLLECTIONS.emailUnsubscribe}/${token}`,
  statusChanges: (deviceId: string) =>
    `${COLLECTIONS.devices}/${deviceId}/${DEVICE_SUBCOLLECTIONS.statusChanges}`,
  ticket: (ticketId: string) => `${COLLECTIONS.supportTickets}/${ticketId}`,
  ticketMessages: (ticketId: string) =>
    `${COLLECTIONS.supportTickets}/${ticketId}/${TICKET_SUBCOLLECTIONS.messages}`,
  auditEntry: (entryId: string) => `${COLLECTIONS.supportAudit}/${entryId}`,
  supportCounter: (name: string) => `${COLLECTIONS.supportCounters}/${name}`,
  plan: (planId: string) => `${COLLECTIONS.plans}/${planId}`,
  /** `keyHash` is the hex SHA-256 of the whole key: a key is found by hashing what the caller sent. */
  apiKey: (keyHash: string) => `${COLLECTIONS.apiKeys}/${keyHash}`,
  /** `month` is YYYY-MM in Asia/Bangkok. */
  usageMonth: (uid: string, month: string) => `${COLLECTIONS.usageMonthly}/${uid}_${month}`,
  billingAccount: (uid: string) => `${COLLECTIONS.billingAccounts}/${uid}`,
  billingEvent: (eventId: string) => `${COLLECTIONS.billingEvents}/${eventId}`,
  claimLock: (uid: string) => `${COLLECTIONS.claimLocks}/${uid}`,
  organisation: (orgId: string) => `${COLLECTIONS.organisations}/${orgId}`,
  organisationMember: (orgId: string, uid: string) => `${COLLECTIONS.organisationMembers}/${orgId}_${uid}`,
} as const;
