import { randomBytes } from 'node:crypto';
import { COLLECTIONS, firestorePaths } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertDeliveryConfig } from '../config.ts';
import { renderAlertEmail } from './email-template.ts';
import type { OutboxItem } from './outbox-item.ts';
import { renderSupportEmail } from './support-email.ts';

// Alert email over SMTP (nodemailer): any relay in production (docs/ALERTS.md), the local mail catcher in
// development. The SMTP URL holds the password: it is read from the environment and never logged.

export interface EmailSender {
  send(item: OutboxItem, address: string): Promise<void>;
  close(): void;
}

/** The user's unsubscribe token, made on first use (email_unsubscribe/{token} → uid, server-only). */
async function unsubscribeToken(db: Firestore, uid: string): Promise<string> {
  const existing = await db.collection(COLLECTIONS.emailUnsubscribe).where('uid', '==', uid).limit(1).get();
  if (!existing.empty) return existing.docs[0].id;
  const token = randomBytes(24).toString('base64url');
  await db.doc(firestorePaths.emailUnsubscribe(token)).set({ uid, created_at: new Date().toISOString() });
  return token;
}

export function emailSender(db: Firestore, config: AlertDeliveryConfig): EmailSender | null {
  if (!config.smtpUrl) return null;
  const transport: Transporter = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(item, address) {
      if (item.support) {
        const mail = renderSupportEmail(item.support, item.language ?? 'th');
        await transport.sendMail({
          from: config.mailFrom,
          to: address,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: { 'Content-Language': item.language ?? 'th', 'X-ESP32Cloud-Support': item.alert_id },
        });
        return;
      }
      const token = await unsubscribeToken(db, item.uid);
      const unsubscribe = `${config.apiUrl}/api/notifications/unsubscribe?token=${token}`;
      const device = `${config.appUrl}/devices/${encodeURIComponent(item.facts.device_id)}`;
      const mail = renderAlertEmail(item.facts, item.fired_at, item.language ?? 'th', {
        device,
        unsubscribe,
      });
      await transport.sendMail({
        from: config.mailFrom,
        to: address,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: {
          'Content-Language': item.language ?? 'th',
          'X-ESP32Cloud-Alert': item.alert_id,
        },
        list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
      });
    },
    close() {
      transport.close();
    },
  };
}
