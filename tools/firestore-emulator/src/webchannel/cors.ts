import type { IncomingMessage, ServerResponse } from 'node:http';

// CORS for pages served from other ports (Vite, the Hosting emulator, test pages). The SDK sends its channel
// XHRs withCredentials, so the page's origin is echoed with Allow-Credentials (a wildcard is refused with
// credentials). Any origin is answered, like the rest of the emulator's HTTP side and Google's emulator: it is
// a local development server holding demo data. The SDK avoids preflights on channels (it moves its headers
// into the handshake body), but one is answered if a page sends custom headers.

/** Headers the SDK's transport reads from channel responses. */
const EXPOSED = 'X-HTTP-Session-Id, X-HTTP-Initial-Response, X-Client-Wire-Protocol';

export function applyCors(request: IncomingMessage, response: ServerResponse): void {
  const origin = request.headers.origin;
  response.setHeader('Vary', 'Origin');
  if (!origin) return;
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
