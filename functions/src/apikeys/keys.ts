import { createHash, randomBytes } from 'node:crypto';
import {
  API_KEY_PREFIX,
  API_KEYS_PER_USER,
  type ApiKeyResponse,
  type ApiKeyScope,
  COLLECTIONS,
  type CreateApiKeyBody,
  type CreatedApiKeyResponse,
  firestorePaths,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { ApiError, notFound } from '../http/errors.ts';
import { refs } from '../shared/documents.ts';

// Integration API keys (docs/API.md). A key is `e32k_` + 32 random bytes (base64url): too much entropy to
// guess, so a plain SHA-256 is enough to store it (no salt or slow hash needed, unlike a password), and the
// document id IS that hash, so checking a key is one document read. Only the hash and a short display prefix
// are stored; the key itself exists once, in the create reply.

export interface ApiKeyDoc {
  key_id: string;
  owner_uid: string;
  name: string;
  display_prefix: string;
  scope: ApiKeyScope;
  device_ids: string[] | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  /** Organisation keys only (absent or null: a personal key). The key acts for owner_uid, the organisation's
   * owner, but only on the owner's own devices (admission.ts); the creator is recorded, not acted for. */
  organisation_id?: string | null;
  created_by_uid?: string | null;
  created_by_email?: string | null;
}

/** Whose keys: a person's own, or an organisation's (acting on its owner's devices). */
export type KeyHolder =
  | { kind: 'personal'; uid: string }
  | {
      kind: 'organisation';
      organisationId: string;
      ownerUid: string;
      createdBy?: { uid: string; email: string | null };
    };

const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The caller-visible id of a key: the first 16 hex digits of its hash (its document id is the whole hash). */
const keyIdOf = (hash: string) => hash.slice(0, 16);

export function apiKeyView(doc: ApiKeyDoc): ApiKeyResponse {
  const iso = (t: Timestamp | null) => t?.toDate().toISOString() ?? null;
  return {
    key_id: doc.key_id,
    name: doc.name,
    display_prefix: doc.display_prefix,
    scope: doc.scope,
    device_ids: doc.device_ids,
    created_at: doc.created_at.toDate().toISOString(),
    expires_at: iso(doc.expires_at),
    revoked_at: iso(doc.revoked_at),
    last_used_at: iso(doc.last_used_at),
    organisation_id: doc.organisation_id ?? null,
    created_by: doc.created_by_uid ? { uid: doc.created_by_uid, email: doc.created_by_email ?? null } : null,
  };
}

const ownerUidOf = (holder: KeyHolder) => (holder.kind === 'personal' ? holder.uid : holder.ownerUid);

/** The holder's keys: a person's personal keys (their organisation's keys are not theirs), or an organisation's. */
const keysOf = (db: Firestore, holder: KeyHolder) =>
  holder.kind === 'personal'
    ? db.collection(COLLECTIONS.apiKeys).where('owner_uid', '==', holder.uid)
    : db.collection(COLLECTIONS.apiKeys).where('organisation_id', '==', holder.organisationId);
const heldBy = (holder: KeyHolder) => (doc: ApiKeyDoc) =>
  holder.kind === 'personal' ? !doc.organisation_id : doc.organisation_id === holder.organisationId;

export async function listApiKeys(db: Firestore, holder: KeyHolder): Promise<ApiKeyResponse[]> {
  const snap = await keysOf(db, holder).get();
  return snap.docs
    .map((d) => d.data() as ApiKeyDoc)
    .filter(heldBy(holder))
    .sort((a, b) => b.created_at.toMillis() - a.created_at.toMillis())
    .map(apiKeyView);
}

/**
 * Device ids a key is limited to: a personal key's must be the person's devices (owner, controller or
 * viewer); an organisation key's must be devices its owner owns (shared-with devices are not the
 * organisation's).
 */
async function requireKeyDevices(db: Firestore, holder: KeyHolder, deviceIds: string[]): Promise<void> {
  const r = refs(db);
  const unique = [...new Set(deviceIds)];
  if (unique.some((id) => id.includes('/') || id.startsWith('__')))
    throw new ApiError(400, 'invalid_argument', 'device_ids holds an id that is not a device id.');
  const uid = ownerUidOf(holder);
  const links = await db.getAll(...unique.map((id) => r.link(uid, id)));
  const missing = unique.filter(
    (_, i) =>
      !links[i].exists || (holder.kind === 'organisation' && links[i].get('access_level') !== 'owner'),
  );
  if (missing.length > 0)
    throw notFound(
      holder.kind === 'personal'
        ? `No device ${missing[0]} in your account.`
        : `No device ${missing[0]} in this organisation.`,
    );
}

export async function createApiKey(
  db: Firestore,
  holder: KeyHolder,
  body: CreateApiKeyBody,
  nowMs = Date.now(),
): Promise<CreatedApiKeyResponse> {
  const deviceIds = body.device_ids ? [...new Set(body.device_ids)] : null;
  if (deviceIds) await requireKeyDevices(db, holder, deviceIds);
  const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = hashApiKey(apiKey);
  const doc: ApiKeyDoc = {
    key_id: keyIdOf(hash),
    owner_uid: ownerUidOf(holder),
    name: body.name,
    display_prefix: apiKey.slice(0, DISPLAY_PREFIX_LENGTH),
    scope: body.scope,
    device_ids: deviceIds,
    created_at: Timestamp.fromMillis(nowMs),
    expires_at: body.expires_in_days ? Timestamp.fromMillis(nowMs + body.expires_in_days * 86_400_000) : null,
    revoked_at: null,
    last_used_at: null,
    ...(holder.kind === 'organisation'
      ? {
          organisation_id: holder.organisationId,
          created_by_uid: holder.createdBy?.uid ?? null,
          created_by_email: holder.createdBy?.email ?? null,
        }
      : {}),
  };
  await db.runTransaction(async (tx) => {
    const existing = await tx.get(keysOf(db, holder));
    const live = existing.docs
      .map((d) => d.data() as ApiKeyDoc)
      .filter((d) => heldBy(holder)(d) && d.revoked_at === null).length;
    if (live >= API_KEYS_PER_USER)
      throw new ApiError(
        429,
        'resource_exhausted',
        `At most ${API_KEYS_PER_USER} live API keys at once; revoke one first.`,
      );
    tx.create(db.doc(firestorePaths.apiKey(hash)), doc);
  });
  return { ...apiKeyView(doc), api_key: apiKey };
}

/** Revoking is immediate (every request reads the key's document) and kept in the list as revoked. */
export async function revokeApiKey(db: Firestore, holder: KeyHolder, keyId: string): Promise<ApiKeyResponse> {
  const snap = await keysOf(db, holder).get();
  const found = snap.docs.find((d) => d.get('key_id') === keyId && heldBy(holder)(d.data() as ApiKeyDoc));
  if (!found) throw notFound(`No API key ${keyId}.`);
  const doc = found.data() as ApiKeyDoc;
  if (doc.revoked_at) return apiKeyView(doc);
  const revokedAt = Timestamp.now();
  await found.ref.update({ revoked_at: revokedAt });
  return apiKeyView({ ...doc, revoked_at: revokedAt });
}
