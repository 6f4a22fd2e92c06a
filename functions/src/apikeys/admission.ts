import { type ApiKeyScope, firestorePaths, scopeAllows, usageMonthId } from '@esp32cloud/protocol';
import { type DocumentSnapshot, FieldValue, type Firestore } from 'firebase-admin/firestore';
import { config } from '../config.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { logs } from '../logs.ts';
import { rateLimitKey, reserve } from '../shared/rate-limits.ts';
import { requirePlanFeature } from './plan-feature.ts';
import type { KeyCaller } from './verify.ts';

// What a request made with an API key may reach (docs/API.md, "Scopes"): the route's scope (GET needs
// `read`, a device command `control`, any other change `admin`), the key's device list, an organisation key's
// devices (its owner's own), the owner's plan (apiAccess) and its per-minute request limit (apiRequestsPerMinute, 429 with Retry-After).
//
// Metering without a write per request: the limiter already counts each request in rate_limits/{key}, one
// field per minute window. The first request of a window folds the finished windows' counts into
// usage_monthly/{uid}_{month}.api_calls and deletes those fields: one write per active customer per minute.

export interface KeyRoute {
  method: string;
  pattern: string;
  operatorOnly: boolean;
  /** The scope the route needs from a key; default: `read` for GET, `admin` for anything else. */
  scope?: ApiKeyScope;
  /** Only with an ID token (API key management itself). */
  idTokenOnly: boolean;
}

/** Routes without a device id that a key limited to some devices may still use (they filter by the key). */
const DEVICE_FREE_ROUTES = new Set(['GET /me', 'GET /users/:uid/devices']);

const insufficientScope = (needed: ApiKeyScope, granted: ApiKeyScope) =>
  new ApiError(
    403,
    'insufficient_scope',
    `This API key has the "${granted}" scope; this request needs "${needed}".`,
    { needed, granted },
  );

export const neededScope = (route: Pick<KeyRoute, 'method' | 'scope' | 'operatorOnly'>): ApiKeyScope =>
  route.operatorOnly ? 'admin' : (route.scope ?? (route.method === 'GET' ? 'read' : 'admin'));

/** Throws unless the key may make this request; returns the rate-limit headers of the reply. */
export async function admitKeyRequest(
  db: Firestore,
  caller: KeyCaller,
  route: KeyRoute,
  params: Record<string, string>,
): Promise<Record<string, string>> {
  const grant = caller.apiKey;
  if (route.idTokenOnly)
    throw new ApiError(403, 'id_token_required', 'This request needs a signed-in session, not an API key.');
  const needed = neededScope(route);
  if (!scopeAllows(grant.scope, needed)) throw insufficientScope(needed, grant.scope);
  if (grant.organisationId) await admitOrganisationKey(db, caller, route, params);
  if (grant.deviceIds) {
    const deviceId = params.deviceId;
    if (deviceId !== undefined) {
      if (!grant.deviceIds.includes(deviceId)) throw notFound(`No device ${deviceId} in your account.`);
    } else if (!DEVICE_FREE_ROUTES.has(`${route.method} ${route.pattern}`)) {
      throw new ApiError(
        403,
        'permission_denied',
        'This API key is limited to some devices; this request is not about one of them.',
      );
    }
  }
  const entitlements = await requirePlanFeature(
    db,
    caller.uid,
    'apiAccess',
    'API access; upgrade to use API keys',
  );
  const limit = entitlements.apiRequestsPerMinute;
  const window = { limit, windowSeconds: config.apiKeys.rateWindowSeconds };
  const key = rateLimitKey('api-requests', caller.uid);
  const result = await reserve(db, [{ key, window }], (counts) => (counts[0] > limit ? [0] : []));
  if (result.counts[0] === 1) await foldFinishedWindows(db, caller.uid, result.snapshots[0], result, limit);
  if (!result.ok) {
    logs.apiKeyRateLimited(caller.uid, grant.keyId, limit);
    throw new ApiError(
      429,
      'rate_limited',
      `Your plan allows ${limit} API requests a minute; wait ${result.retryAfterSeconds} s.`,
      { limit, retryAfterSeconds: result.retryAfterSeconds },
      { 'retry-after': String(result.retryAfterSeconds), 'x-ratelimit-limit': String(limit) },
    );
  }
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - result.counts[0])),
  };
}

/**
 * An organisation key reaches only the organisation's devices: those its owner owns (a device shared with the
 * owner is someone else's), and only routes about one device (plus the device-free routes, which filter),
 * so it never reads or changes the owner's personal settings. The owner's plan must still include
 * organisation keys (after a downgrade they answer plan_limit, as personal keys do without apiAccess).
 */
async function admitOrganisationKey(
  db: Firestore,
  caller: KeyCaller,
  route: KeyRoute,
  params: Record<string, string>,
): Promise<void> {
  const deviceId = params.deviceId;
  if (deviceId === undefined) {
    if (!DEVICE_FREE_ROUTES.has(`${route.method} ${route.pattern}`))
      throw new ApiError(
        403,
        'permission_denied',
        "An organisation API key reaches the organisation's devices only; this request is not about one.",
      );
  } else {
    const ownedHere =
      !deviceId.includes('/') &&
      !deviceId.startsWith('__') &&
      deviceId.length <= 200 &&
      (await db.doc(firestorePaths.userDevice(caller.uid, deviceId)).get()).get('access_level') === 'owner';
    if (!ownedHere) throw notFound(`No device ${deviceId} in this organisation.`);
  }
  await requirePlanFeature(
    db,
    caller.uid,
    'organisationKeys',
    'organisations; upgrade to use organisation keys',
  );
}

/** Adds the finished windows' request counts (refused requests past the limit not counted) to api_calls. */
async function foldFinishedWindows(
  db: Firestore,
  uid: string,
  counter: DocumentSnapshot,
  result: { counted: { field: string }[] },
  limit: number,
): Promise<void> {
  const current = result.counted[0].field;
  const perMonth = new Map<string, number>();
  const finished: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(counter.data() ?? {})) {
    const match = /^w(\d+)$/.exec(field);
    if (!match || field === current) continue;
    const month = usageMonthId(Number(match[1]) * config.apiKeys.rateWindowSeconds * 1000);
    perMonth.set(month, (perMonth.get(month) ?? 0) + Math.min(Number(value) || 0, limit));
    finished[field] = FieldValue.delete();
  }
  if (perMonth.size === 0) return;
  const batch = db.batch();
  for (const [month, calls] of perMonth)
    batch.set(
      db.doc(firestorePaths.usageMonth(uid, month)),
      { uid, month, api_calls: FieldValue.increment(calls) },
      { merge: true },
    );
  batch.update(counter.ref, finished);
  // Metering must never fail the customer's request; the fields stay and are folded next minute.
  await batch.commit().catch((error) => logs.usageFoldFailed(uid, error));
}
