import type { AccessRequest } from '../authorizer.ts';
import type { Value } from '../types.ts';
import { documentToResource, fromFirestoreValue, fromJson } from './convert.ts';
import { RMap, type RPath, RTimestamp, type RValue } from './values.ts';

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

interface FieldFilter {
  field?: { fieldPath?: string };
  op?: string;
  value?: Value;
}
interface Filter {
  fieldFilter?: FieldFilter;
  unaryFilter?: { field?: { fieldPath?: string }; op?: string };
  compositeFilter?: { op?: string; filters?: Filter[] };
}

/**
 * For a query whose result is empty there is no document to check, so the rules see the document the query
 * describes: the fields its equality filters pin down. A rule such as `resource.data.user_id == request.auth.uid`
 * then holds exactly when the query filters on the caller's uid, which is how Firestore judges queries
 * ("rules are not filters"); a rule reading a field the query leaves open fails with an error and denies.
 */
export function resourceFromQuery(structured: unknown): RMap {
  const data = new Map<string, RValue>();
  const visit = (f: Filter | undefined) => {
    if (!f) return;
    if (f.compositeFilter) {
      if (f.compositeFilter.op === 'AND') for (const sub of f.compositeFilter.filters ?? []) visit(sub);
      return;
    }
    const ff = f.fieldFilter;
    if (ff?.op === 'EQUAL' && ff.field?.fieldPath && ff.value) {
      setPath(data, splitFieldPath(ff.field.fieldPath), fromFirestoreValue(ff.value));
    }
    const uf = f.unaryFilter;
    if (uf?.op === 'IS_NULL' && uf.field?.fieldPath) setPath(data, splitFieldPath(uf.field.fieldPath), null);
  };
  visit((structured as { where?: Filter })?.where);
  return RMap.of({ data: new RMap(data) });
}

/** Every field path the query's filters constrain, under AND and OR alike (document id filters excluded). */
export function filteredFieldPaths(structured: unknown): string[][] {
  const out: string[][] = [];
  const visit = (f: Filter | undefined) => {
    if (!f) return;
    if (f.compositeFilter) {
      for (const sub of f.compositeFilter.filters ?? []) visit(sub);
      return;
    }
    const path = f.fieldFilter?.field?.fieldPath ?? f.unaryFilter?.field?.fieldPath;
    if (path && path !== '__name__') out.push(splitFieldPath(path));
  };
  visit((structured as { where?: Filter })?.where);
  return out;
}

/**
 * The data a query rule may rely on for one result document: only the fields the query's filters constrain.
 * Rules are not filters: a rule that reads a field the query leaves open cannot hold for every document the
 * query could return, so reading it here is an error and denies, even when the documents present would pass.
 */
export function restrictToFields(data: RMap, paths: string[][]): RMap {
  const out = new Map<string, RValue>();
  for (const path of paths) {
    const value = valueAt(data, path);
    if (value !== undefined) setPath(out, path, value);
  }
  return new RMap(out);
}

function valueAt(data: RMap, path: string[]): RValue | undefined {
  let cur: RValue = data;
  for (const p of path) {
    if (!(cur instanceof RMap)) return undefined;
    const next = cur.entries.get(p);
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

function setPath(root: Map<string, RValue>, parts: string[], value: RValue): void {
  if (parts[0] === '__name__') return;
  let m = root;
  for (const p of parts.slice(0, -1)) {
    let next = m.get(p);
    if (!(next instanceof RMap)) {
      next = new RMap(new Map());
      m.set(p, next);
    }
    m = next.entries;
  }
  m.set(parts[parts.length - 1], value);
}

function splitFieldPath(fieldPath: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < fieldPath.length; i++) {
    const c = fieldPath[i];
    if (c === '`') quoted = !quoted;
    else if (c === '\\' && quoted) cur += fieldPath[++i] ?? '';
    else if (c === '.' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
