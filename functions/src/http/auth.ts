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

export async function verifyCaller(authorization: string | undefined): Promise<Caller> {
  if (!authorization)
    throw unauthenticated('Missing Authorization header: send "Bearer <Firebase ID token>".');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <Firebase ID token>".');
  try {
    const decoded = await getAuth().verifyIdToken(match[1]);
    return {
      uid: decoded.uid,
      email: decoded.email ?? null,
      isOperator: decoded.role === 'operator',
      claims: decoded as unknown as Record<string, unknown>,
    };
  } catch (error) {
    logs.tokenRejected((error as { code?: string }).code ?? 'invalid');
    throw unauthenticated('Invalid or expired ID token. Sign in again.');
  }
}

export function requireOperator(caller: Caller): void {
  if (!caller.isOperator) throw forbidden('This action needs the operator role.');
}
