import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { inboxPage, messagePage } from './pages.ts';

// A real SMTP server (smtp-server) that keeps what it receives in memory, parsed (mailparser), with a small web
// inbox: `npm start` runs it so a newcomer sees alert emails arrive, and tests read what was sent. Local only:
// it binds 127.0.0.1, accepts any login and relays nothing.

export interface CaughtMail {
  id: number;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  receivedAt: string;
}

export interface MailCatcher {
  smtpPort: number;
  webPort: number;
  /** smtp://127.0.0.1:port (no TLS, any credentials accepted). */
  smtpUrl: string;
  webUrl: string;
  messages(): CaughtMail[];
  clear(): void;
  stop(): Promise<void>;
}

export interface MailCatcherOptions {
  host?: string;
  smtpPort?: number;
  webPort?: number;
  /** Messages kept (oldest dropped first). */
  keep?: number;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 200;
  const inbox: CaughtMail[] = [];
  let nextId = 1;

  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'ESP32 Cloud local mail catcher',
    size: 5 * 1024 * 1024,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'local' });
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          // Decoded values where mailparser structures a header; the raw value for those it folds away (List-*).
          const headers: Record<string, string> = {};
          for (const [key, value] of parsed.headers) if (typeof value === 'string') headers[key] = value;
          for (const { key, line } of parsed.headerLines)
            headers[key] ??= line
              .slice(line.indexOf(':') + 1)
              .replace(/\r?\n\s+/g, ' ')
              .trim();
          inbox.push({
            id: nextId++,
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers,
            receivedAt: new Date().toISOString(),
          });
          while (inbox.length > keep) inbox.shift();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const one = /^\/messages\/(\d+)$/.exec(url.pathname);
    if (url.pathname === '/messages') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(inbox));
    } else if (one) {
      const mail = inbox.find((m) => m.id === Number(one[1]));
      res.writeHead(mail ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(mail ? messagePage(mail) : 'not found');
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(inboxPage(inbox));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(options.webPort ?? 0, host, () => resolve());
  });
  const webPort = (web.address() as AddressInfo).port;

  return {
    smtpPort,
    webPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    webUrl: `http://${host}:${webPort}`,
    messages: () => [...inbox],
    clear: () => {
      inbox.length = 0;
    },
    stop: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => web.close(() => resolve()));
    },
  };
}
