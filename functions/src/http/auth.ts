import { getAuth } from 'firebase-admin/auth';
import { logs } from '../logs.ts';
import { forbidden, unauthenticated } from './errors.ts';

// The caller is always who the Firebase ID token says (Auth emulator tokens locally, real ones in
// production), never anything in a request body.

export interface Caller {
  uid: string;
  email: string | null;
  isOperator: boolean;
  claims: Record<string, unknown>;
}

/**
 * `checkRevoked` also asks Firebase Auth whether the user's sessions were revoked (a signed-out-everywhere
 * account, a disabled user): one more lookup, so it is asked on operator and destructive routes only.
 */
export async function verifyCaller(authorization: string | undefined, checkRevoked = false): Promise<Caller> {
  if (!authorization)
    throw unauthenticated('Missing Authorization header: send "Bearer <Firebase ID token>".');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <Firebase ID token>".');
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
