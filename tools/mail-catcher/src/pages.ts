import type { CaughtMail } from './index.ts';

// The catcher's web inbox: a list of messages, newest first, and each message's HTML part shown in a
// sandboxed frame (alert emails carry links; the frame runs no script).

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}td,th{padding:.3rem .6rem;text-align:left}
tr:nth-child(even){background:#f4f4f4}iframe{width:100%;height:30rem;border:1px solid #ccc}pre{white-space:pre-wrap}</style>
</head><body>${body}</body></html>`;

export function inboxPage(inbox: CaughtMail[]): string {
  const rows = [...inbox]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return page(
    'Mail catcher',
    `<h1>Mail catcher</h1><p>Every email the local stack sends lands here (nothing leaves this machine). <a href="/">Refresh</a> · <a href="/messages">JSON</a></p>
<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows || '<tr><td colspan="3">No mail yet.</td></tr>'}</table>`,
  );
}

export function messagePage(mail: CaughtMail): string {
  return page(
    mail.subject,
    `<p><a href="/">← Inbox</a></p><h1>${escapeHtml(mail.subject)}</h1>
<p>From: ${escapeHtml(mail.from)}<br>To: ${escapeHtml(mail.to.join(', '))}<br>Received: ${escapeHtml(mail.receivedAt)}</p>
<iframe sandbox srcdoc="${escapeHtml(mail.html)}"></iframe><h2>Plain text</h2><pre>${escapeHtml(mail.text)}</pre>`,
  );
}
