import {
  type AlertFacts,
  type AlertLanguage,
  describeAlert,
  describeCondition,
  severityLabel,
} from '@esp32cloud/protocol';

// The alert email in Thai or English: a subject that says what happened, a plain-text part and an HTML part
// with the same words, a link to the device and an unsubscribe link (also as a List-Unsubscribe header).

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

const COPY = {
  th: {
    greeting: 'สวัสดี',
    happened: 'เกิดการแจ้งเตือนจากอุปกรณ์ของคุณ',
    device: 'อุปกรณ์',
    condition: 'เงื่อนไข',
    at: 'เวลา',
    open: 'เปิดดูอุปกรณ์',
    why: 'คุณได้รับอีเมลนี้เพราะเปิดการแจ้งเตือนทางอีเมลไว้ใน ESP32 Cloud',
    unsubscribe: 'ยกเลิกการรับอีเมลแจ้งเตือน',
  },
  en: {
    greeting: 'Hello',
    happened: 'One of your devices raised an alert',
    device: 'Device',
    condition: 'Condition',
    at: 'Time',
    open: 'Open the device',
    why: 'You get this email because alert emails are on in ESP32 Cloud',
    unsubscribe: 'Unsubscribe from alert emails',
  },
} as const;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function renderAlertEmail(
  facts: AlertFacts,
  firedAt: string,
  lang: AlertLanguage,
  links: { device: string; unsubscribe: string },
): AlertEmail {
  const copy = COPY[lang];
  const severity = severityLabel(facts.severity, lang);
  const summary = describeAlert(facts, lang);
  const time = new Date(firedAt).toLocaleString(lang === 'th' ? 'th-TH' : 'en-GB', {
    timeZone: 'Asia/Bangkok',
  });
  const subject = `[ESP32 Cloud] ${severity}: ${summary}`;
  const rows: [string, string][] = [
    [copy.device, facts.device_name],
    [copy.condition, describeCondition(facts, lang)],
    [copy.at, time],
  ];
  const text = [
    `${copy.greeting},`,
    '',
    `${copy.happened}: ${summary}`,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    `${copy.open}: ${links.device}`,
    '',
    '--',
    copy.why,
    `${copy.unsubscribe}: ${links.unsubscribe}`,
  ].join('\n');
  const html = `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif;line-height:1.5">
<p>${copy.greeting},</p>
<p><strong>${escapeHtml(severity)}</strong> — ${escapeHtml(copy.happened)}: ${escapeHtml(summary)}</p>
<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(links.device)}">${escapeHtml(copy.open)}</a></p>
<hr><p style="color:#666;font-size:12px">${escapeHtml(copy.why)} · <a href="${escapeHtml(links.unsubscribe)}">${escapeHtml(copy.unsubscribe)}</a></p>
</body></html>`;
  return { subject, text, html };
}
