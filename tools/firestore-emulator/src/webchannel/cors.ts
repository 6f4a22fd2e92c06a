import type { IncomingMessage, ServerResponse } from 'node:http';

// CORS for pages served from other local ports (Vite, the Hosting emulator, test pages). The SDK's channel
// XHRs are sent withCredentials, so the origin is echoed (a wildcard is not allowed with credentials); only
// loopback origins are answered, so a page on the internet cannot drive the emulator through a local browser.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLocalOrigin(origin: string): boolean {
  try {
    const { hostname, protocol } = new URL(origin);
    if (protocol !== 'http:' && protocol !== 'https:') return false;
    return (
      LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname)
    );
  } catch {
    return false;
  }
}

/** Headers the SDK's own transport reads from channel responses. */
const EXPOSED = 'X-HTTP-Session-Id, X-HTTP-Initial-Response, X-Client-Wire-Protocol';

export function applyCors(request: IncomingMessage, response: ServerResponse): void {
  const origin = request.headers.origin;
  response.setHeader('Vary', 'Origin');
  if (!origin || !isLocalOrigin(origin)) return;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Allow-Credentials', 'true');
  response.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

/** Answers an OPTIONS preflight; allows whatever headers the page asks for (Authorization, X-Goog-*...). */
export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  applyCors(request, response);
  response.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  const asked = request.headers['access-control-request-headers'];
  if (asked) response.setHeader('Access-Control-Allow-Headers', asked);
  if (request.headers['access-control-request-private-network'] === 'true') {
    response.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  response.setHeader('Access-Control-Max-Age', '3600');
  response.writeHead(204);
  response.end();
}
