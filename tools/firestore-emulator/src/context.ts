import type { AuthContext } from './authorizer.ts';

// Who is calling: derived by the transports from the Authorization header. `Bearer owner` is the admin
// credential the Admin SDK and firebase-tools send to emulators; any other bearer token is an ID token
// (signed or unsigned, alg none) whose payload is read without verification, as emulators do.

export interface RequestContext {
  projectId: string;
  databaseId: string;
  admin: boolean;
  auth: AuthContext | null;
}

export function identityFromAuthorization(
  header: string | undefined | null,
): Pick<RequestContext, 'admin' | 'auth'> {
  if (!header) return { admin: false, auth: null };
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return { admin: false, auth: null };
  const token = match[1].trim();
  if (token === 'owner') return { admin: true, auth: null };
  const auth = decodeIdToken(token);
  return { admin: false, auth };
}

export function decodeIdToken(token: string): AuthContext | null {
  const parts = token.split('.');
  if (parts.length < 2) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const uid = (payload.sub ?? payload.user_id) as string | undefined;
    if (typeof uid !== 'string' || uid === '') return null;
    return { uid, token: payload };
  } catch {
    return null;
  }
}

/** Project and database from the standard routing headers, falling back to the given defaults. */
export function databaseFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  fallbackProjectId: string,
): { projectId: string; databaseId: string } {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const prefix = first(headers['google-cloud-resource-prefix']);
  const params = first(headers['x-goog-request-params']);
  const candidates = [
    prefix,
    params ? decodeURIComponent(params.replace(/^.*?(database|name|parent)=/, '')) : undefined,
  ];
  for (const candidate of candidates) {
    const match = candidate ? /projects\/([^/&]+)\/databases\/([^/&]+)/.exec(candidate) : null;
    if (match) return { projectId: match[1], databaseId: match[2] };
  }
  return { projectId: fallbackProjectId, databaseId: '(default)' };
}
