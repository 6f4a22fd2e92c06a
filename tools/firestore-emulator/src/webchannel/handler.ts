import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { identityFromAuthorization } from '../context.ts';
import { toRpcError } from '../errors.ts';
import type { StreamMethod, WebChannelBackend } from './backend.ts';
import { type WebChannelOptions, webChannelOptions } from './config.ts';
import { answerPreflight, applyCors } from './cors.ts';
import { messageType } from './json-codec.ts';
import { logSession } from './logs.ts';
import { Session, type SessionTypes } from './session.ts';
import { chunk, handshakeArray, parseEncodedHeaders, parseForwardBody, postResponse } from './wire.ts';

// The WebChannel transport: the Firebase web SDK's browser build opens its Listen and Write streams as
// WebChannel sessions on /google.firestore.v1.Firestore/{Listen,Write}/channel. One handler serves the
// handshake (POST without SID), forward channel (POST with SID), back channel (GET TYPE=xmlhttp, streaming
// CI=0 or long poll CI=1) and termination (TYPE=terminate), plus CORS preflights.

const CHANNEL_PATH = /^\/google\.firestore\.v1\.Firestore\/(Listen|Write)\/channel$/;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface WebChannelHandler {
  /** Serves the request when it is a channel request; returns false (untouched) otherwise. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** Number of live sessions (for tests and diagnostics). */
  sessionCount(): number;
  /** Ends every session and back channel (server shutdown). */
  close(): void;
  /** Live options: changes apply to the sessions that follow (and to debug logging at once). */
  readonly options: WebChannelOptions;
}

export function createWebChannelHandler(
  backend: WebChannelBackend,
  overrides: Partial<WebChannelOptions> = {},
): WebChannelHandler {
  const options = webChannelOptions(overrides);
  const sessions = new Map<string, Session>();
  const types: Record<StreamMethod, SessionTypes> = {
    Listen: {
      request: messageType('google.firestore.v1.ListenRequest'),
      response: messageType('google.firestore.v1.ListenResponse'),
    },
    Write: {
      request: messageType('google.firestore.v1.WriteRequest'),
      response: messageType('google.firestore.v1.WriteResponse'),
    },
  };

  // The expiry sweep runs only while sessions exist, so a stopped emulator leaves no timer behind.
  let sweeper: NodeJS.Timeout | null = null;
  function sweep(): void {
    const now = Date.now();
    for (const session of sessions.values()) if (session.isIdle(now)) session.close('session.expire');
  }
  function sessionAdded(): void {
    if (sweeper) return;
    sweeper = setInterval(sweep, Math.min(5_000, options.idleSessionMs));
    sweeper.unref();
  }
  function sessionRemoved(session: Session): void {
    sessions.delete(session.id);
    if (sessions.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const match = CHANNEL_PATH.exec(url.pathname);
    if (!match) return false;
    const method = match[1] as StreamMethod;
    if (request.method === 'OPTIONS') {
      answerPreflight(request, response);
      return true;
    }
    applyCors(request, response);
    response.setHeader('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    route(method, url.searchParams, request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      logSession(options, 'request.bad', { method, message });
      if (!response.headersSent) {
        response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(`Bad Request: ${message}`);
      } else response.end();
    });
    return true;
  }

  async function route(
    method: StreamMethod,
    params: URLSearchParams,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const sid = params.get('SID');
    const type = params.get('TYPE');
    if (type === 'terminate') {
      if (request.method === 'POST') await readBody(request);
      const session = sid ? sessions.get(sid) : undefined;
      session?.close('session.terminate');
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end();
      return;
    }
    if (request.method === 'POST' && (sid === null || sid === '')) {
      await openSession(method, params, request, response);
      return;
    }
    const session = sid ? sessions.get(sid) : undefined;
    if (!session || session.method !== method) {
      await drain(request);
      logSession(options, 'request.unknown-sid', { sid: sid ?? '', method });
      // The client matches "Unknown SID" at an index > 0 of a 400 body and then starts a fresh session.
      response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Bad Request: Unknown SID');
      return;
    }
    const acknowledged = Number(params.get('AID') ?? '-1');
    if (request.method === 'POST') {
      const body = parseForwardBody(await readBody(request));
      session.acknowledge(acknowledged);
      session.receive(body.maps);
      const [present, lastSent, outstanding] = session.forwardStatus();
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(postResponse(present, lastSent, outstanding));
      return;
    }
    if (request.method === 'GET' && type === 'xmlhttp') {
      const streaming = params.get('CI') !== '1';
      const requestedHold = Number(params.get('TO') ?? '');
      const holdMs =
        !streaming && Number.isFinite(requestedHold) && requestedHold > 0
          ? Math.min(requestedHold, options.keepAliveMs)
          : options.keepAliveMs;
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.flushHeaders();
      request.socket.setNoDelay(true);
      session.attachBackChannel(response, streaming, acknowledged, holdMs);
      return;
    }
    response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('Bad Request: unsupported channel request');
  }

  async function openSession(
    method: StreamMethod,
    params: URLSearchParams,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const body = parseForwardBody(await readBody(request));
    const database = params.get('database') ?? '';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    Object.assign(headers, parseEncodedHeaders(params.get('$httpHeaders') ?? ''), body.headers);

    const id = randomBytes(12).toString('base64url');
    const session = new Session(id, method, database, types[method], options, sessionRemoved);
    sessions.set(id, session);
    sessionAdded();
    session.log('session.open', {
      database,
      origin: request.headers.origin,
      caller: describeCaller(headers.authorization),
      maps: body.maps.length,
    });
    try {
      const stream = backend.openStream(
        method,
        { headers, database },
        (message) => session.deliver(message),
        (status) => session.endStream(status),
      );
      session.attachStream(stream);
    } catch (error) {
      // A refused stream (bad token, unknown database) reaches the SDK as that stream's error status.
      const refused = toRpcError(error);
      session.endStream({ code: refused.code, message: refused.message });
    }

    // Messages sent with the handshake go to the core after the session exists, in order, and BEFORE the
    // handshake is answered. The client times the handshake (RTT) and gives its first back channel GET 4×
    // that to show a byte, else it decides a buffering proxy is in the way, drops the GET and long-polls.
    // Answered first, a handshake carrying big queries (a 1,000-device dashboard) measured a few ms, and then
    // the event loop was busy answering them for hundreds of ms: the GET always "failed", every result
    // was sent twice and the session long-polled for good.
    session.receive(body.maps);
    response.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-HTTP-Session-Id': id,
    });
    response.end(chunk([handshakeArray(id, options.keepAliveMs, backChannelHostPrefix(request, id))]));
  }

  return {
    handle,
    options,
    sessionCount: () => sessions.size,
    close() {
      for (const session of [...sessions.values()]) session.close('server.stop');
    },
  };
}

/**
 * Browsers allow 6 HTTP/1.1 connections per host, and every Firestore instance keeps a back channel GET hanging
 * per stream: with a few tabs open, forward POSTs would queue behind hanging GETs forever. When the page
 * reached us as `localhost` (which browsers resolve, with all of `*.localhost`, to loopback), each session's
 * back channel is sent to its own `<prefix>.localhost` host, a connection pool of its own. An IP address host
 * cannot be prefixed; pages that connect to 127.0.0.1 share one pool.
 */
function backChannelHostPrefix(request: IncomingMessage, sessionId: string): string {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (host !== 'localhost' && !host.endsWith('.localhost')) return '';
  return `wc-${sessionId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12)}`;
}

/** Who opened a session, for the debug log: the uid of an ID token, "admin", or "anonymous" (never the token). */
function describeCaller(authorization: string | undefined): string {
  const identity = identityFromAuthorization(authorization);
  if (identity.admin) return 'admin';
  return identity.auth ? `uid:${identity.auth.uid}` : authorization ? 'unreadable-token' : 'anonymous';
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      parts.push(part);
    });
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.method === 'POST') await readBody(request).catch(() => undefined);
}
