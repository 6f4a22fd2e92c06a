import { COLLECTIONS, type SupportMail } from '@esp32cloud/protocol';
import type { Firestore, Transaction } from 'firebase-admin/firestore';

// Support email goes through the alert system's mailer: an alert_outbox item the bridge's alert delivery
// claims with a lease and sends over SMTP (nodemailer), with its retries (docs/ALERTS.md). The address is
// looked up by the bridge from the account (Firebase Auth), never taken from a request.

export function queueSupportMail(
  db: Firestore,
  tx: Transaction | null,
  to: { uid: string; email: string | null; language: 'th' | 'en' },
  refId: string,
  mail: SupportMail,
): Promise<unknown> {
  const ref = db.collection(COLLECTIONS.alertOutbox).doc();
  const now = Date.now();
  const item = {
    item_id: ref.id,
    channel: 'email',
    event: mail.kind === 'reply' ? 'support.reply' : 'support.setup_link',
    uid: to.uid,
    alert_id: refId,
    support: mail,
    fired_at: new Date(now).toISOString(),
    language: to.language,
    email: to.email,
    deliver_after: now,
    state: 'pending',
    attempts: 0,
    lease_until: 0,
    created_at: now,
  };
  if (tx) {
    tx.create(ref, item);
    return Promise.resolve();
  }
  return ref.create(item);
}
