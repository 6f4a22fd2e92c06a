import type { AlertLanguage, SupportMail } from '@esp32cloud/protocol';
import type { AlertEmail } from './email-template.ts';

// Support email (docs/SUPPORT.md), sent by the alert mailer from alert_outbox items the API queues: an
// operator's reply to a ticket, or a setup link support sent again. Thai or English, text and HTML.

const COPY = {
  th: {
    replySubject: 'ทีมซัพพอร์ตตอบคำขอ #{n}: {subject}',
    replyIntro: 'ทีมซัพพอร์ตของ ESP32 Cloud ตอบคำขอความช่วยเหลือของคุณแล้ว',
    replyOpen: 'เปิดอ่านและตอบกลับ',
    setupSubject: 'ลิงก์ตั้งค่าอุปกรณ์ {serial}',
    setupIntro: 'ทีมซัพพอร์ตส่งลิงก์ตั้งค่าอุปกรณ์ของคุณมาให้อีกครั้ง',
    setupOpen: 'เปิดหน้าตั้งค่า',
    why: 'คุณได้รับอีเมลนี้เพราะติดต่อทีมซัพพอร์ตของ ESP32 Cloud',
  },
  en: {
    replySubject: 'Support replied to request #{n}: {subject}',
    replyIntro: 'ESP32 Cloud support answered your help request',
    replyOpen: 'Read and reply',
    setupSubject: 'Setup link for device {serial}',
    setupIntro: 'Support sent you the setup link for your device again',
    setupOpen: 'Open setup',
    why: 'You get this email because you contacted ESP32 Cloud support',
  },
} as const;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function renderSupportEmail(mail: SupportMail, lang: AlertLanguage): AlertEmail {
  const copy = COPY[lang];
  const fill = (text: string) =>
    text
      .replace('{n}', String(mail.ticket_number ?? ''))
      .replace('{subject}', mail.subject ?? '')
      .replace('{serial}', mail.serial_number ?? '');
  const reply = mail.kind === 'reply';
  const subject = `[ESP32 Cloud] ${fill(reply ? copy.replySubject : copy.setupSubject)}`;
  const intro = reply ? copy.replyIntro : copy.setupIntro;
  const open = reply ? copy.replyOpen : copy.setupOpen;
  const quote = reply && mail.excerpt ? mail.excerpt : null;
  const text = [intro, '', ...(quote ? [quote, ''] : []), `${open}: ${mail.link}`, '', copy.why].join('\n');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    quote ? `<blockquote>${escapeHtml(quote).replace(/\n/g, '<br>')}</blockquote>` : '',
    `<p><a href="${escapeHtml(mail.link)}">${escapeHtml(open)}</a></p>`,
    `<p style="color:#666">${escapeHtml(copy.why)}</p>`,
  ].join('');
  return { subject, text, html };
}
