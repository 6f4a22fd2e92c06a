import type { AccessRequest } from '../authorizer.ts';
import { documentToResource, fromJson } from './convert.ts';
import { RMap, type RPath, RTimestamp } from './values.ts';

// Builds the rules variables `request` and `resource` from the emulator's AccessRequest.

export function databaseIdOf(database: string): string {
  const parts = database.split('/');
  return parts[parts.length - 1] || '(default)';
}

export function buildRequest(req: AccessRequest, databaseId: string, fullPath: RPath): RMap {
  const auth = req.auth ? RMap.of({ uid: req.auth.uid, token: fromJson(req.auth.token) }) : null;
  const writes = req.method === 'create' || req.method === 'update';
  return RMap.of({
    auth,
    method: req.method,
    path: fullPath,
    time: new RTimestamp(BigInt(req.time.seconds) * 1_000_000_000n + BigInt(req.time.nanos ?? 0)),
    resource:
      writes && req.requestResource ? documentToResource(req.requestResource, databaseId, req.path) : null,
    query: req.query ? buildQuery(req.query.limit, req.query.offset, req.query.structuredQuery) : null,
  });
}

/** request.query: limit, offset and orderBy (the field the query orders by first, as a string). */
function buildQuery(limit: number | undefined, offset: number | undefined, structured: unknown): RMap {
  const orders = (structured as { orderBy?: { field?: { fieldPath?: string } }[] })?.orderBy;
  const first = orders?.find((o) => o.field?.fieldPath)?.field?.fieldPath;
  return RMap.of({
    limit: limit === undefined || limit === null ? null : BigInt(limit),
    offset: offset === undefined || offset === null ? null : BigInt(offset),
    orderBy: first ?? null,
  });
}
