import { createServer } from 'node:http';
import type { PartStatus } from './supervisor.ts';

// GET /health on `npm start`'s own port: the state of each supervised part (broker, bridge, simulated devices),
// as JSON. 200 when every part runs, 503 while one is restarting, so a script can wait on it.

export async function startHealthServer(
  host: string,
  port: number,
  parts: () => PartStatus[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/health') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'GET /health' } }));
      return;
    }
    const list = parts();
    const ok = list.every((part) => part.state === 'running');
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ ok, parts: list }, null, 2));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://${host}:${port}/health`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
