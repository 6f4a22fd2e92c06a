import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../harness/auth.ts';
import { type Stack, startStack } from '../harness/stack.ts';

// The api function in the real Functions emulator, with the real Auth emulator and our Firestore emulator.

let stack: Stack;
let api: string;

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  api = stack.apiUrl!;
});

afterAll(async () => {
  await stack?.stop();
});

function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

describe('GET /api/health', () => {
  it('reports the version and reaches Firestore and Auth', async () => {
    const response = await fetch(`${api}/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      status: 'ok',
      project: stack.projectId,
      backends: { firestore: true, auth: true },
    });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers the same through the /api prefix used by the Hosting rewrite', async () => {
    const direct = new URL(api);
    const response = await fetch(`${direct.origin}${direct.pathname}/api/health`);
    expect(response.status).toBe(200);
  });
});

describe('ID token middleware', () => {
  it('rejects a request without a token with 401 and the error shape', async () => {
    const response = await fetch(`${api}/me`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'unauthenticated', message: expect.stringContaining('Authorization') },
    });
  });

  it('rejects a malformed Authorization header', async () => {
    for (const header of ['Token abc', 'Bearer', 'Bearer not-a-jwt', 'Basic dXNlcjpwYXNz']) {
      const response = await fetch(`${api}/me`, { headers: { authorization: header } });
      expect(response.status, header).toBe(401);
      expect((await response.json()).error.code).toBe('unauthenticated');
    }
  });

  it('rejects a token for another project and a forged token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const foreign = unsignedToken({
      iss: 'https://securetoken.google.com/demo-someone-else',
      aud: 'demo-someone-else',
      sub: 'intruder',
      user_id: 'intruder',
      iat: now,
      exp: now + 3600,
      auth_time: now,
    });
    const forged = unsignedToken({
      iss: 'https://evil.example',
      aud: stack.projectId,
      sub: 'x',
      iat: now,
      exp: now + 3600,
    });
    for (const token of [foreign, forged]) {
      const response = await fetch(`${api}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
      expect((await response.json()).error.code).toBe('unauthenticated');
    }
  });

  it('accepts a real ID token from the Auth emulator', async () => {
    const user = await signUp(stack.authHost!);
    const response = await fetch(`${api}/me`, { headers: { authorization: `Bearer ${user.idToken}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ uid: user.uid, email: user.email, role: 'customer' });
  });
});

describe('error shape', () => {
  it('gives 404 with the error shape for an unknown route', async () => {
    const response = await fetch(`${api}/no/such/route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('gives 405 for a known path with the wrong method', async () => {
    const response = await fetch(`${api}/health`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect((await response.json()).error.code).toBe('method_not_allowed');
  });
});
