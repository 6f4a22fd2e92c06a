import { API_KEY_PREFIX, type ApiKeyScope, firestorePaths } from '@esp32cloud/protocol';
import { getAuth, type UserRecord } from 'firebase-admin/auth';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { ApiError, unauthenticated, unavailable } from '../http/errors.ts';
import { logs } from '../logs.ts';
import { RecentMap } from '../shared/recent-map.ts';
import { type ApiKeyDoc, hashApiKey } from './keys.ts';

// Who an API key speaks for: its owner (an organisation key: the organisation's owner account), with the key's
// scope and device list. Every request reads the key's
// document (so a revocation counts at once, on every instance); last_used_at is rewritten at most once per
// `lastUsedResolutionSeconds`, so a busy key costs no write per request.

export interface ApiKeyGrant {
  keyId: string;
  scope: ApiKeyScope;
  /** null: every device of the owner. */
  deviceIds: string[] | null;
  /** An organisation key: it reaches only devices its owner (the caller uid) owns, never shared ones. */
  organisationId: string | null;
}

export interface KeyCaller {
  uid: string;
  email: string | null;
  isOperator: boolean;
  claims: Record<string, unknown>;
  apiKey: ApiKeyGrant;
}

export const looksLikeApiKey = (credential: string) => credential.startsWith(API_KEY_PREFIX);

const keyRejected = (reason: string) => {
  logs.apiKeyRejected(reason);
  return unauthenticated(`This API key is ${reason}. Create a new one in the web app (Integrations).`);
};

/**
 * A key works only while its owner's account exists and is enabled in Firebase Auth (looked up at most every
 * `API_KEY_OWNER_CHECK_SECONDS` per owner and instance). `operatorRoute`: the route is operator-only, so the
 * owner's account and operator role are looked up afresh. Only an admin-scoped key of an operator passes (the router checks
 * the scope); a customer key never reaches them.
 */
export async function verifyApiKey(
  db: Firestore,
  apiKey: string,
  operatorRoute: boolean,
): Promise<KeyCaller> {
  // Well-formed keys are exactly prefix + 43 base64url characters; anything else cannot exist.
  if (!/^e32k_[A-Za-z0-9_-]{43}$/.test(apiKey)) throw keyRejected('not valid');
  const snap = await db.doc(firestorePaths.apiKey(hashApiKey(apiKey))).get();
  if (!snap.exists) throw keyRejected('not valid');
  const doc = snap.data() as ApiKeyDoc;
  const nowMs = Date.now();
  if (doc.revoked_at) throw keyRejected('revoked');
  if (doc.expires_at && doc.expires_at.toMillis() <= nowMs) throw keyRejected('expired');
  if (
    !doc.last_used_at ||
    nowMs - doc.last_used_at.toMillis() >= config.apiKeys.lastUsedResolutionSeconds * 1000
  )
    // A lost update here only delays the shown time; it never fails the request.
    await snap.ref.update({ last_used_at: Timestamp.fromMillis(nowMs) }).catch(() => undefined);
  let isOperator = false;
  let email: string | null = null;
  // An organisation key never carries its owner's operator role: its admins are not the owner.
  if (operatorRoute && doc.organisation_id)
    throw new ApiError(403, 'permission_denied', 'An organisation API key cannot call operator routes.');
  // Operator routes always ask Firebase Auth afresh; other routes accept an answer up to ownerCheckSeconds old.
  const owner = await ownerAccount(
    doc.owner_uid,
    operatorRoute ? 0 : config.apiKeys.ownerCheckSeconds * 1000,
  );
  if (!owner.usable) throw keyRejected('owned by an account that is disabled or gone');
  if (operatorRoute) {
    isOperator = owner.isOperator;
    email = owner.email;
  }
  return {
    uid: doc.owner_uid,
    email,
    isOperator,
    claims: {},
    apiKey: {
      keyId: doc.key_id,
      scope: doc.scope,
      deviceIds: doc.device_ids,
      organisationId: doc.organisation_id ?? null,
    },
  };
}

interface OwnerAccount {
  usable: boolean;
  isOperator: boolean;
  email: string | null;
  at: number;
}

const OWNERS_REMEMBERED = 10_000;
const ownerAccounts = new RecentMap<OwnerAccount>(OWNERS_REMEMBERED);

/** The key owner's Firebase Auth account: gone or disabled means its keys stop working. */
async function ownerAccount(uid: string, maxAgeMs: number): Promise<OwnerAccount> {
  const known = ownerAccounts.get(uid);
  if (known && Date.now() - known.at < maxAgeMs) return known;
  let user: UserRecord | null;
  try {
    user = await getAuth().getUser(uid);
  } catch (error) {
    if ((error as { code?: string }).code !== 'auth/user-not-found') {
      // Firebase Auth unreachable: an earlier answer is better than refusing every key.
      if (known) return known;
      throw unavailable('Could not check this API key right now. Try again.');
    }
    user = null;
  }
  const account: OwnerAccount = {
    usable: user !== null && !user.disabled,
    isOperator: user?.customClaims?.role === 'operator',
    email: user?.email ?? null,
    at: Date.now(),
  };
  ownerAccounts.set(uid, account);
  return account;
}
