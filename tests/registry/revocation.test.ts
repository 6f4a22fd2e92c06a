import { getApps, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { call } from './helpers.ts';

// Revoked sessions (docs/SECURITY.md, "Token revocation"): after revokeRefreshTokens, a still-unexpired ID
// token is refused on operator and destructive routes, against the real Auth and Functions emulators.

let stack: Stack;
let api: string;
let auth: Auth;
let owner: TestUser;
let operator: TestUser;

/** Routes that must check revocation, each answered past authentication (404/403/400) with a live token. */
const guarded = (uid: string) =>
  [
    ['DELETE', `/users/${uid}/devices/dev_missing`],
    ['POST', '/devices/dev_missing/shares', { email: 'friend@example.test', access_level: 'viewer' }],
    ['DELETE', '/devices/dev_missing/shares/someone'],
  ] as const;
const operatorRoutes = [
  ['POST', '/devices/dev_missing/claim-code'],
  ['DELETE', '/devices/dev_missing'],
  ['POST', '/devices', { device_type: 'LED', firmware_version: '1.0.0' }],
] as const;

beforeAll(async () => {
  stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  api = stack.apiUrl!;
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  auth = getAuth(app);
  owner = await signUp(stack.authHost!);
  const op = await signUp(stack.authHost!);
  await auth.setCustomUserClaims(op.uid, { role: 'operator' });
  operator = await signIn(stack.authHost!, op.email, op.password);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('revoked ID tokens', () => {
  it('are refused with 401 on release and share changes; a fresh sign-in works again', async () => {
    for (const [method, route, body] of guarded(owner.uid)) {
      const live = await call(api, method, route, { token: owner.idToken, body });
      expect({ route, status: live.status }).not.toEqual({ route, status: 401 });
    }
    // Revocation is recorded in whole seconds: a token signed in during the same second is not older.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await auth.revokeRefreshTokens(owner.uid);
    for (const [method, route, body] of guarded(owner.uid)) {
      const revoked = await call(api, method, route, { token: owner.idToken, body });
      expect({ route, status: revoked.status, code: revoked.body?.error?.code }).toEqual({
        route,
        status: 401,
        code: 'unauthenticated',
      });
      expect(revoked.body.error.message).toMatch(/signed out/);
    }
    // (Other routes accept such a token until it expires in production; against the Auth emulator the Admin SDK
    // checks revocation on every verification, so that difference is not observable here.)
    // Signing in again gives a token that works.
    const fresh = await signIn(stack.authHost!, owner.email, owner.password);
    const [method, route] = guarded(owner.uid)[0];
    expect((await call(api, method, route, { token: fresh.idToken })).status).toBe(404);
  });

  it('are refused with 401 on every operator route', async () => {
    for (const [method, route, body] of operatorRoutes) {
      const live = await call(api, method, route, { token: operator.idToken, body });
      expect({ route, status: live.status }).not.toEqual({ route, status: 401 });
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await auth.revokeRefreshTokens(operator.uid);
    for (const [method, route, body] of operatorRoutes) {
      const revoked = await call(api, method, route, { token: operator.idToken, body });
      expect({ route, status: revoked.status }).toEqual({ route, status: 401 });
    }
  });
});
