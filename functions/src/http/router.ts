import type { ApiKeyScope } from '@esp32cloud/protocol';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { admitKeyRequest } from '../apikeys/admission.ts';
import { config } from '../config.ts';
import { db } from '../firebase.ts';
import { logs } from '../logs.ts';
import { type Caller, requireOperator, verifyCaller } from './auth.ts';
import { clientAddress, trustedProxyList } from './client-address.ts';
import { ApiError, errorBody, notFound } from './errors.ts';
import { parseInput } from './validate.ts';

// A small router for the single `api` function. Paths are matched without the `/api` prefix, so the function
// answers the same whether it is called directly or through the Hosting rewrite of /api/**.

const trustedProxies = trustedProxyList(config.clientAddress.trustedProxies);

export type AuthMode = 'required' | 'optional' | 'none';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteInput<B, Q> {
  params: Record<string, string>;
  query: Q;
  body: B;
  caller: Caller | null;
  ip: string;
  headers: Request['headers'];
  /** The body exactly as received (Cloud Functions keep it), for signature checks such as Stripe's. */
  rawBody: Buffer | undefined;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** A text body sent as is (e.g. CSV; set its content-type in headers) instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec<BS extends z.ZodType | undefined, QS extends z.ZodType | undefined> {
  auth: AuthMode;
  /** Operator routes always: the ID token is also checked for revocation (http/auth.ts). */
  operatorOnly?: boolean;
  /** Destructive routes (release, share changes): check the ID token for revocation. */
  checkRevoked?: boolean;
  /** The scope an API key needs here (docs/API.md); default: `read` for GET, `admin` otherwise. */
  scope?: ApiKeyScope;
  /** Never with an API key, only an ID token (managing the keys themselves). */
  idTokenOnly?: boolean;
  /** One line for the OpenAPI document (functions/src/openapi). */
  summary?: string;
  body?: BS;
  query?: QS;
  handler: (
    input: RouteInput<
      BS extends z.ZodType ? z.infer<BS> : undefined,
      QS extends z.ZodType ? z.infer<QS> : undefined
    >,
  ) => Promise<Reply>;
}

export interface Route {
  method: Method;
  /** As registered, e.g. /devices/:deviceId/control (without the /api prefix). */
  pattern: string;
  segments: string[];
  // biome-ignore lint/suspicious/noExplicitAny: the router stores routes of every input type
  spec: RouteSpec<any, any>;
}

export class Router {
  private readonly routes: Route[] = [];

  add<BS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined>(
    method: Method,
    pattern: string,
    spec: RouteSpec<BS, QS>,
  ): this {
    this.routes.push({ method, pattern, segments: splitPath(pattern), spec });
    return this;
  }

  /** Every registered route, in registration order (the OpenAPI document is built from these). */
  table(): readonly Route[] {
    return this.routes;
  }

  async handle(req: Request, res: Response): Promise<void> {
    const path = stripApiPrefix(req.path);
    try {
      const { route, params } = this.match(req.method, path);
      const { spec } = route;
      const caller =
        spec.auth === 'none'
          ? null
          : spec.auth === 'optional' && !req.headers.authorization
            ? null
            : await verifyCaller(
                req.headers.authorization,
                spec.checkRevoked === true || spec.operatorOnly === true,
                spec.operatorOnly === true,
              );
      const keyHeaders = caller?.apiKey
        ? await admitKeyRequest(
            db,
            { ...caller, apiKey: caller.apiKey },
            {
              method: route.method,
              pattern: route.pattern,
              operatorOnly: spec.operatorOnly === true,
              scope: spec.scope,
              idTokenOnly: spec.idTokenOnly === true,
            },
            params,
          )
        : {};
      for (const [name, value] of Object.entries(keyHeaders)) res.setHeader(name, value);
      if (spec.operatorOnly) requireOperator(caller!);
      const body = spec.body ? parseInput(spec.body, readJsonBody(req), 'request body') : undefined;
      const query = spec.query ? parseInput(spec.query, { ...req.query }, 'query parameters') : undefined;
      const reply = await spec.handler({
        params,
        query,
        body,
        caller,
        ip: clientIp(req),
        headers: req.headers,
        rawBody: (req as Request & { rawBody?: Buffer }).rawBody,
      });
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      if (reply.text !== undefined) res.status(reply.status ?? 200).send(reply.text);
      else if (reply.body === undefined) res.status(reply.status ?? 204).end();
      else res.status(reply.status ?? 200).json(reply.body);
    } catch (error) {
      const apiError = toApiError(error, req.method, path);
      logs.requestFailed(req.method, path, apiError.status, apiError.code, apiError.message);
      for (const [name, value] of Object.entries(apiError.headers)) res.setHeader(name, value);
      res.status(apiError.status).json(errorBody(apiError));
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const segments = splitPath(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    if (pathMatched) throw new ApiError(405, 'method_not_allowed', `${method} is not supported on ${path}.`);
    throw notFound(`No API route ${method} ${path}.`);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function stripApiPrefix(path: string): string {
  return path === '/api' || path.startsWith('/api/') ? path.slice(4) || '/' : path;
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual[i]);
      } catch {
        return null;
      }
    } else if (expected !== actual[i]) return null;
  }
  return params;
}

function readJsonBody(req: Request): unknown {
  // Cloud Functions parse JSON bodies already; a body that failed to parse arrives as a raw buffer/string.
  if (req.body === undefined || req.body === null || (typeof req.body === 'string' && req.body === ''))
    return {};
  if (Buffer.isBuffer(req.body) || typeof req.body === 'string') {
    const text = req.body.toString();
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
  }
  return req.body;
}

function clientIp(req: Request): string {
  return clientAddress(
    req.headers['x-forwarded-for'],
    req.socket.remoteAddress,
    config.clientAddress,
    trustedProxies,
  );
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

function toApiError(error: unknown, method: string, path: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SyntaxError && 'body' in error) {
    return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  logs.unexpectedError(method, path, error);
  // Firestore unreachable (restarting, a network cut) or too slow: the caller should retry, not give up.
  const grpcCode = (error as { code?: unknown } | null)?.code;
  if (grpcCode === GRPC_UNAVAILABLE || grpcCode === GRPC_DEADLINE_EXCEEDED) {
    return new ApiError(
      503,
      'unavailable',
      'The service is briefly unavailable. Please try again.',
      undefined,
      {
        'Retry-After': '5',
      },
    );
  }
  return new ApiError(500, 'internal', 'Something went wrong on our side. Please try again.');
}
