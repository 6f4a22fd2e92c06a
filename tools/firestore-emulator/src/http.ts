import type http from 'node:http';
import { z } from 'zod';
import type { FirestoreService } from './service.ts';
import { describeIssues, exportBodySchema, securityRulesBodySchema } from './validation.ts';

// The HTTP/1.1 side of the port: the emulator REST endpoints (as firebase-tools and
// @firebase/rules-unit-testing call them), permissive CORS for pages on other localhost ports, and a hook
// for further handlers (the WebChannel transport registers itself in httpHandlers).

/** Returns true when it handled the request. Handlers run in order before the emulator endpoints. */
export type HttpHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  service: FirestoreService,
) => boolean | Promise<boolean>;

export const httpHandlers: HttpHandler[] = [];

export interface HttpOptions {
  onRulesLoaded?: (projectId: string) => void;
  onRulesError?: (projectId: string, message: string) => void;
  onExport?: (projectId: string, directory: string) => Promise<void>;
  onTriggerRegistered?: (projectId: string, key: string) => void;
}

export function applyCors(req: http.IncomingMessage, res: http.ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) {
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    (req.headers['access-control-request-headers'] as string | undefined) ?? '*',
  );
  res.setHeader('Access-Control-Expose-Headers', '*');
  res.setHeader('Access-Control-Max-Age', '86400');
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function errorBody(status: number, message: string, statusName: string) {
  return { error: { code: status, message, status: statusName } };
}

export async function handleHttpRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  service: FirestoreService,
  options: HttpOptions,
): Promise<void> {
  applyCors(req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    res.end();
    return;
  }
  for (const handler of httpHandlers) {
    if (await handler(req, res, service)) return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Ok');
    return;
  }
  const clear = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents$/.exec(path);
  if (clear && req.method === 'DELETE') {
    service.clearDatabase(decodeURIComponent(clear[1]), decodeURIComponent(clear[2]));
    json(res, 200, {});
    return;
  }
  const rules = /^\/emulator\/v1\/projects\/([^/:]+):securityRules$/.exec(path);
  if (rules && req.method === 'PUT') {
    const projectId = decodeURIComponent(rules[1]);
    let source: string;
    try {
      const parsed = securityRulesBodySchema.safeParse(JSON.parse(await readBody(req)));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      source = parsed.data.rules.files.map((file) => file.content).join('\n');
    } catch (error) {
      json(res, 400, errorBody(400, `Invalid request: ${(error as Error).message}`, 'INVALID_ARGUMENT'));
      return;
    }
    try {
      service.setRules(projectId, source);
      options.onRulesLoaded?.(projectId);
      json(res, 200, {});
    } catch (error) {
      const message = (error as Error).message;
      options.onRulesError?.(projectId, message);
      json(res, 400, errorBody(400, message, 'INVALID_ARGUMENT'));
    }
    return;
  }
  const trigger = /^\/emulator\/v1\/projects\/([^/:]+)\/eventarcTrigger$/.exec(path);
  if (trigger && req.method === 'POST') {
    // How firebase-tools' Functions emulator registers a v2 Firestore trigger (key in eventarcTriggerId).
    const key = url.searchParams.get('eventarcTriggerId');
    try {
      if (!key) throw new Error('eventarcTriggerId is required');
      service.triggers.register(decodeURIComponent(trigger[1]), key, JSON.parse(await readBody(req)));
      options.onTriggerRegistered?.(decodeURIComponent(trigger[1]), key);
      json(res, 200, {});
    } catch (error) {
      const message = error instanceof z.ZodError ? describeIssues(error) : (error as Error).message;
      json(res, 400, errorBody(400, `Invalid trigger: ${message}`, 'INVALID_ARGUMENT'));
    }
    return;
  }
  const triggers = /^\/emulator\/v1\/projects\/([^/:]+)\/triggers(?:\/([^/]+))?$/.exec(path);
  if (triggers && req.method === 'PUT' && triggers[2]) {
    // A v1 (event-signature) trigger: accepted so the Functions emulator loads the rest of the codebase, but
    // never called: this emulator delivers only v2 CloudEvents.
    options.onTriggerRegistered?.(decodeURIComponent(triggers[1]), `${triggers[2]} (v1, not delivered)`);
    json(res, 200, {});
    return;
  }
  if (triggers && req.method === 'DELETE' && !triggers[2]) {
    service.triggers.clear(decodeURIComponent(triggers[1]));
    json(res, 200, {});
    return;
  }
  if (triggers && req.method === 'GET' && !triggers[2]) {
    const projectId = decodeURIComponent(triggers[1]);
    json(res, 200, { triggers: service.triggers.list().filter((t) => t.projectId === projectId) });
    return;
  }
  const exportMatch = /^\/emulator\/v1\/projects\/([^/:]+):export$/.exec(path);
  if (exportMatch && req.method === 'POST' && options.onExport) {
    try {
      const parsed = exportBodySchema.safeParse(JSON.parse((await readBody(req)) || '{}'));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      const directory = [parsed.data.export_directory, parsed.data.export_name].filter(Boolean).join('/');
      await options.onExport(decodeURIComponent(exportMatch[1]), directory);
      json(res, 200, {});
    } catch (error) {
      json(res, 400, errorBody(400, (error as Error).message, 'INVALID_ARGUMENT'));
    }
    return;
  }
  json(res, 404, errorBody(404, `Not found: ${req.method} ${path}`, 'NOT_FOUND'));
}
