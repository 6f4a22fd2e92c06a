import { SHARING_ERRORS } from '@esp32cloud/protocol';
import type { Auth, UserRecord } from 'firebase-admin/auth';
import type { Firestore } from 'firebase-admin/firestore';
import type { Caller } from '../http/auth.ts';
import { RegistryError } from '../shared/errors.ts';
import { exhausted, rateLimitKey, record, type Window } from '../shared/rate-limits.ts';

// Who a device may be shared with or transferred to, found by the email its owner typed. One rule for both
// (docs/SECURITY.md): the account must exist and have verified its email, so a share or a transfer never goes
// to whoever registered someone else's address first.

/**
 * Unknown emails an owner may try per hour. The answer tells an owner whether an email has an account, so the
 * misses are capped to keep it from becoming an account-enumeration oracle; real sharing rarely misses twice.
 */
export const SHARE_MISSES_WINDOW: Window = { limit: 20, windowSeconds: 3600 };

export async function findRecipient(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  email: string,
  ownAccountMessage: string,
): Promise<UserRecord> {
  const missesKey = rateLimitKey('share-miss-user', caller.uid);
  if (await exhausted(db, missesKey, SHARE_MISSES_WINDOW)) {
    throw new RegistryError(
      429,
      'resource_exhausted',
      'Too many emails without an account. Check the address and try again in an hour.',
    );
  }
  const target = await auth.getUserByEmail(email).catch(async (error: unknown) => {
    if ((error as { code?: string }).code === 'auth/user-not-found') {
      await record(db, missesKey, SHARE_MISSES_WINDOW);
      throw new RegistryError(
        404,
        SHARING_ERRORS.userNotFound,
        `No account uses ${email}. Ask them to sign up first.`,
      );
    }
    throw error;
  });
  if (target.uid === caller.uid) throw new RegistryError(400, 'invalid_argument', ownAccountMessage);
  if (!target.emailVerified) {
    throw new RegistryError(
      409,
      SHARING_ERRORS.recipientUnverified,
      `${email} has not verified its email address yet. Ask them to open the verification email, then try again.`,
    );
  }
  return target;
}
