import type {
  AlertFacts,
  AlertLanguage,
  EventWebhookBody,
  SupportMail,
  WebhookEvent,
} from '@esp32cloud/protocol';

/**
 * alert_outbox/{itemId}: one email or one webhook call an alert episode owes. Written in the episode's
 * transaction; claimed by one bridge instance at a time (a lease), so a crash mid-delivery is retried by
 * whoever is alive once the lease runs out. Held until `deliver_after` during the user's quiet hours.
 */
export interface OutboxItem {
  item_id: string;
  channel: 'email' | 'webhook';
  /** `support.*`: an email the support portal queued (its `support` field; no `facts`). A platform event
   * (device.*, command.*, alert.* with `payload`): an event webhook the functions' triggers queued. */
  event: 'alert.fired' | 'alert.resolved' | 'support.reply' | 'support.setup_link' | WebhookEvent;
  uid: string;
  alert_id: string;
  facts: AlertFacts;
  fired_at: string;
  support?: SupportMail;
  /** email only */
  language?: AlertLanguage;
  email?: string | null;
  /** webhook only */
  webhook_id?: string;
  /** Event webhooks only: the body sent as is (functions/src/events/queue.ts). */
  payload?: EventWebhookBody;
  /** ms since epoch: not before (quiet hours end). */
  deliver_after: number;
  state: 'pending' | 'sending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  /** ms since epoch until which the claiming instance owns the item. */
  lease_until: number;
  created_at: number;
  error?: string | null;
  finished_at?: number;
}
