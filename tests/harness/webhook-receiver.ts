import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local webhook endpoint on 127.0.0.1 for tests and benches: records every call (raw body, headers,
// arrival time) and answers with the statuses it is told to, in order (then 200).

export interface ReceivedCall {
  body: string;
  json: { event: string; alert_id: string | null; alert?: Record<string, unknown> };
  headers: Record<string, string>;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  calls: ReceivedCall[];
  /** The next calls are answered with these statuses, one each. */
  failNext(...statuses: number[]): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: ReceivedCall[] = [];
  const planned: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      let json: ReceivedCall['json'] = { event: 'unparsable', alert_id: null };
      try {
        json = JSON.parse(body);
      } catch {
        // recorded as unparsable
      }
      calls.push({ body, json, headers, at: Date.now() });
      const status = planned.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    calls,
    failNext: (...statuses) => planned.push(...statuses),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
