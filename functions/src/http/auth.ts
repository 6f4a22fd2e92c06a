import { getAuth } from 'firebase-admin/auth';
import { type ApiKeyGrant, looksLikeApiKey, verifyApiKey } from '../apikeys/verify.ts';
import { db } from '../firebase.ts';
import { logs } from '../logs.ts';
import { forbidden, unauthenticated } from './errors.ts';

// The caller is always who the Firebase ID token says (Auth emulator tokens locally, real ones in
// production), or the owner of an integration API key (`Bearer e32k_...`, docs/API.md), never anything in a
// request body.

export interface Caller {
  uid: string;
  email: string | null;
  isOperator: boolean;
  claims: Record<string, unknown>;
  /** Set when the request was made with an API key: its scope and devices limit what it reaches. */
  apiKey?: ApiKeyGrant;
}

/**
 * `operatorRoute`: an API key's owner is looked up in Firebase Auth for the operator role (ID tokens carry it).
 * `checkRevoked` also asks Firebase Auth whether the user's sessions were revoked (a signed-out-everywhere
 * account, a disabled user): one more lookup, so it is asked on operator and destructive routes only.
 */
export async function verifyCaller(
  authorization: string | undefined,
  checkRevoked = false,
  operatorRoute = false,
): Promise<Caller> {
  if (!authorization)
    throw unauthenticated('Missing Authorization header: send "Bearer <Firebase ID token>".');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <Firebase ID token>".');
  if (looksLikeApiKey(match[1])) return verifyApiKey(db, match[1], operatorRoute);
  try {
    const decoded = await getAuth().verifyIdToken(match[1], checkRevoked);
    return {
      uid: decoded.uid,
      email: decoded.email ?? null,
      isOperator: decoded.role === 'operator',
      claims: decoded as unknown as Record<string, unknown>,
    };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'invalid';
    logs.tokenRejected(code);
    if (code === 'auth/id-token-revoked' || code === 'auth/user-disabled') {
      throw unauthenticated('Your session was signed out. Sign in again.');
    }
    throw unauthenticated('Invalid or expired ID token. Sign in again.');
  }
}

export function requireOperator(caller: Caller): void {
  if (!caller.isOperator) throw forbidden('This action needs the operator role.');
}
