import { operatorToken } from '@esp32cloud/tests/e2e/operator';
import { signUp, type TestUser } from '@esp32cloud/tests/harness/auth';
import { type Stack, startStack, useStackEnv } from '@esp32cloud/tests/harness/stack';
import type { Request, Response } from 'express';
import { getApps, initializeApp } from 'firebase-admin/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../src/http/errors.ts';
import { type RouteInput, Router } from '../src/http/router.ts';

// Unit tests of our own router: requests and responses are plain objects shaped like the Express ones the
// Functions runtime hands over (the runtime itself is exercised by the API suites). ID tokens are real ones
// from the Auth emulator, verified by the real firebase-admin SDK.

interface FakeRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
  query?: Record<string, string>;
  ip?: string;
  remoteAddress?: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  ended: boolean;
}

function request(fake: FakeRequest): Request {
  return {
    method: fake.method,
    path: fake.path,
    headers: fake.headers ?? {},
    body: fake.body,
    query: fake.query ?? {},
    ip: fake.ip,
    socket: { remoteAddress: fake.remoteAddress },
  } as unknown as Request;
}

async function send(router: Router, fake: FakeRequest): Promise<Answer> {
  const answer: Answer = { status: 0, body: undefined, headers: {}, ended: false };
  const res = {
    status(code: number) {
      answer.status = code;
      return res;
    },
    json(body: unknown) {
      answer.body = body;
      answer.ended = true;
      return res;
    },
    end() {
      answer.ended = true;
      return res;
    },
    setHeader(name: string, value: string) {
      answer.headers[name.toLowerCase()] = value;
      return res;
    },
  };
  await router.handle(request(fake), res as unknown as Response);
  return answer;
}

/** A route that answers with what it was given. */
function echo(auth: 'required' | 'optional' | 'none' = 'none') {
  return {
    auth,
    handler: async (input: RouteInput<unknown, unknown>) => ({
      body: {
        params: input.params,
        body: input.body,
        query: input.query,
        ip: input.ip,
        uid: input.caller?.uid ?? null,
      },
    }),
  };
}

describe('HTTP router: routing', () => {
  const router = new Router()
    .add('GET', '/health', echo())
    .add('GET', '/devices/:deviceId', echo())
    .add('DELETE', '/devices/:deviceId', { auth: 'none', handler: async () => ({}) })
    .add('GET', '/devices/:deviceId/shares/:uid', echo())
    .add('POST', '/devices', {
      auth: 'none',
      body: z.strictObject({ name: z.string().min(1) }),
      handler: async ({ body }) => ({
        status: 201,
        body: { created: body.name },
        headers: { Location: '/devices/x' },
      }),
    })
    .add('GET', '/search', {
      auth: 'none',
      query: z.object({ limit: z.coerce.number().int().max(50) }),
      handler: async ({ query }) => ({ body: { limit: query.limit } }),
    })
    .add('GET', '/boom', {
      auth: 'none',
      handler: async () => {
        throw new Error('internal detail: stack of db-7 at 10.1.2.3');
      },
    })
    .add('GET', '/firestore-down', {
      auth: 'none',
      handler: async () => {
        throw Object.assign(new Error('14 UNAVAILABLE: No connection established to 10.1.2.3'), { code: 14 });
      },
    })
    .add('GET', '/conflict', {
      auth: 'none',
      handler: async () => {
        throw new ApiError(409, 'already_exists', 'Taken.', { by: 'someone' });
      },
    });

  it('matches the same route with and without the /api prefix, ignoring empty segments', async () => {
    for (const path of [
      '/devices/ESP32_ABC123',
      '/api/devices/ESP32_ABC123',
      '/api//devices/ESP32_ABC123/',
    ]) {
      const answer = await send(router, { method: 'GET', path });
      expect(answer.status, path).toBe(200);
      expect((answer.body as { params: unknown }).params).toEqual({ deviceId: 'ESP32_ABC123' });
    }
    expect((await send(router, { method: 'GET', path: '/api/health' })).status).toBe(200);
  });

  it('decodes percent-encoded parameters (any Unicode) and matches several of them', async () => {
    const answer = await send(router, {
      method: 'GET',
      path: `/devices/${encodeURIComponent('ห้องนอน 1')}/shares/${encodeURIComponent('u/1')}`,
    });
    expect(answer.status).toBe(200);
    expect((answer.body as { params: unknown }).params).toEqual({ deviceId: 'ห้องนอน 1', uid: 'u/1' });
  });

  it('answers 404 in the API error shape for an unknown path or a parameter that is not valid encoding', async () => {
    for (const path of ['/nowhere', '/api', '/devices/a/b', '/devices/%E0%A4']) {
      const answer = await send(router, { method: 'GET', path });
      expect(answer.status, path).toBe(404);
      expect(answer.body).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('No API route GET') },
      });
    }
  });

  it('answers 405 when the path exists but not for that method', async () => {
    const answer = await send(router, { method: 'PUT', path: '/api/devices/ESP32_ABC123' });
    expect(answer.status).toBe(405);
    expect(answer.body).toEqual({
      error: { code: 'method_not_allowed', message: 'PUT is not supported on /devices/ESP32_ABC123.' },
    });
  });

  it('sends the handler status, headers and JSON body, and 204 with no body when there is none', async () => {
    const created = await send(router, { method: 'POST', path: '/devices', body: { name: 'โคมไฟ' } });
    expect(created).toMatchObject({
      status: 201,
      body: { created: 'โคมไฟ' },
      headers: { location: '/devices/x' },
    });
    const deleted = await send(router, { method: 'DELETE', path: '/devices/x' });
    expect(deleted).toMatchObject({ status: 204, body: undefined, ended: true });
  });

  it('validates the body: every problem by field, as a 400', async () => {
    const answer = await send(router, { method: 'POST', path: '/devices', body: { name: '', extra: 1 } });
    expect(answer.status).toBe(400);
    const error = (
      answer.body as { error: { code: string; message: string; details: Array<{ field: string }> } }
    ).error;
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(/^Invalid request body: /);
    expect(error.details.map((d) => d.field).sort()).toEqual(['name', 'request body']);
  });

  it('reads a raw body as JSON, treats an empty one as {}, and refuses one that is not JSON', async () => {
    const raw = await send(router, { method: 'POST', path: '/devices', body: Buffer.from('{"name":"raw"}') });
    expect(raw).toMatchObject({ status: 201, body: { created: 'raw' } });
    const empty = await send(router, { method: 'POST', path: '/devices', body: '  ' });
    expect(empty.status).toBe(400);
    expect((empty.body as { error: { message: string } }).error.message).toContain('name');
    for (const body of ['{"name":', Buffer.from('not json')]) {
      const answer = await send(router, { method: 'POST', path: '/devices', body });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    }
  });

  it('validates and converts query parameters', async () => {
    expect((await send(router, { method: 'GET', path: '/search', query: { limit: '20' } })).body).toEqual({
      limit: 20,
    });
    const tooMany = await send(router, { method: 'GET', path: '/search', query: { limit: '500' } });
    expect(tooMany.status).toBe(400);
    expect((tooMany.body as { error: { message: string } }).error.message).toMatch(
      /^Invalid query parameters: limit/,
    );
  });

  it('passes an ApiError through with its details and turns anything else into a 500 that leaks nothing', async () => {
    expect(await send(router, { method: 'GET', path: '/conflict' })).toMatchObject({
      status: 409,
      body: { error: { code: 'already_exists', message: 'Taken.', details: { by: 'someone' } } },
    });
    const boom = await send(router, { method: 'GET', path: '/boom' });
    expect(boom.status).toBe(500);
    expect(boom.body).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' },
    });
    expect(JSON.stringify(boom.body)).not.toContain('db-7');
  });

  it('answers 503 with Retry-After while Firestore is unreachable, leaking nothing of the error', async () => {
    const down = await send(router, { method: 'GET', path: '/firestore-down' });
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toEqual({
      error: { code: 'unavailable', message: 'The service is briefly unavailable. Please try again.' },
    });
    expect(JSON.stringify(down.body)).not.toContain('10.1.2.3');
  });
});

describe('HTTP router: client address', () => {
  const router = new Router().add('GET', '/ip', echo());
  const ipOf = async (fake: Omit<FakeRequest, 'method' | 'path'>) =>
    ((await send(router, { method: 'GET', path: '/ip', ...fake })).body as { ip: string }).ip;

  // The address rules themselves are in functions/test/client-address.test.ts; here, that routes get them.
  it('hands routes the entry left of the one Google’s front end appended, whatever the caller put before it', async () => {
    const viaFrontEnd = { 'x-forwarded-for': '198.51.100.7, 35.191.0.1' };
    expect(await ipOf({ headers: viaFrontEnd, remoteAddress: '10.0.0.1' })).toBe('198.51.100.7');
    // Earlier entries come from the caller and could be forged to dodge per-address limits.
    const forged = { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 35.191.0.1' };
    expect(await ipOf({ headers: forged, remoteAddress: '10.0.0.1' })).toBe('198.51.100.7');
    expect(await ipOf({ headers: { 'x-forwarded-for': ['1.2.3.4', '198.51.100.8 , 35.191.0.2'] } })).toBe(
      '198.51.100.8',
    );
  });

  it('falls back to the socket address without X-Forwarded-For, then "unknown"', async () => {
    expect(await ipOf({ headers: { 'x-forwarded-for': ' , ' }, remoteAddress: '10.0.0.2' })).toBe('10.0.0.2');
    expect(await ipOf({ remoteAddress: '127.0.0.1' })).toBe('127.0.0.1');
    expect(await ipOf({})).toBe('unknown');
  });
});

describe('HTTP router: authentication', () => {
  let stack: Stack;
  let user: TestUser;
  let operator: string;
  const router = new Router()
    .add('GET', '/open', echo('none'))
    .add('GET', '/mine', echo('required'))
    .add('GET', '/maybe', echo('optional'))
    .add('GET', '/factory', { ...echo('required'), operatorOnly: true });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    stack = await startStack({ firebase: ['auth'] });
    useStackEnv(stack);
    if (getApps().length === 0) initializeApp({ projectId: stack.projectId });
    user = await signUp(stack.authHost as string);
    operator = await operatorToken(stack.authHost as string, stack.projectId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a public route never looks at the Authorization header', async () => {
    const answer = await send(router, { method: 'GET', path: '/open', headers: bearer('garbage') });
    expect(answer).toMatchObject({ status: 200, body: { uid: null } });
  });

  it('a protected route refuses a missing, malformed or forged token with 401 before the handler runs', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /^Missing Authorization header/],
      [{ authorization: `Basic ${user.idToken}` }, /^Malformed Authorization header/],
      [{ authorization: 'Bearer two tokens' }, /^Malformed Authorization header/],
      [bearer('not-a-jwt'), /^Invalid or expired ID token/],
      [
        bearer(user.idToken.replace(/\.[^.]*\./, '.e30.')), // its claims stripped
        /^Invalid or expired ID token/,
      ],
    ];
    for (const [headers, message] of cases) {
      const answer = await send(router, { method: 'GET', path: '/mine', headers });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      const error = (answer.body as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('unauthenticated');
      expect(error.message).toMatch(message);
    }
  });

  it('a protected route knows the caller from a real ID token', async () => {
    const answer = await send(router, { method: 'GET', path: '/mine', headers: bearer(user.idToken) });
    expect(answer).toMatchObject({ status: 200, body: { uid: user.uid } });
    // The scheme is case-insensitive and surrounding spaces are tolerated.
    const relaxed = await send(router, {
      method: 'GET',
      path: '/mine',
      headers: { authorization: `  bearer ${user.idToken} ` },
    });
    expect(relaxed).toMatchObject({ status: 200, body: { uid: user.uid } });
  });

  it('an optional route runs anonymously without a header but still refuses a bad one', async () => {
    expect(await send(router, { method: 'GET', path: '/maybe' })).toMatchObject({
      status: 200,
      body: { uid: null },
    });
    expect(
      await send(router, { method: 'GET', path: '/maybe', headers: bearer(user.idToken) }),
    ).toMatchObject({
      status: 200,
      body: { uid: user.uid },
    });
    expect((await send(router, { method: 'GET', path: '/maybe', headers: bearer('nope') })).status).toBe(401);
  });

  it('an operator-only route answers 403 to a signed-in user and runs for an operator', async () => {
    const refused = await send(router, { method: 'GET', path: '/factory', headers: bearer(user.idToken) });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } });
    expect((await send(router, { method: 'GET', path: '/factory' })).status).toBe(401);
    const allowed = await send(router, { method: 'GET', path: '/factory', headers: bearer(operator) });
    expect(allowed.status).toBe(200);
  });
});
