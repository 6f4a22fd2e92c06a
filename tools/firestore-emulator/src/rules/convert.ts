import type { Document, Value } from '../types.ts';
import { RLatLng, RMap, RPath, RTimestamp, type RValue } from './values.ts';

// Firestore data (the protobufjs object form in ../types.ts) and token claims into rules values.

export function fromFirestoreValue(v: Value): RValue {
  if ('stringValue' in v) return v.stringValue;
  if ('integerValue' in v) return BigInt(v.integerValue);
  if ('booleanValue' in v) return v.booleanValue;
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('mapValue' in v) return fromFields(v.mapValue.fields ?? {});
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(fromFirestoreValue);
  if ('timestampValue' in v) {
    const t = v.timestampValue;
    return new RTimestamp(BigInt(t.seconds ?? 0) * 1_000_000_000n + BigInt(t.nanos ?? 0));
  }
  if ('nullValue' in v) return null;
  if ('referenceValue' in v) return referenceToPath(v.referenceValue);
  if ('geoPointValue' in v) return new RLatLng(v.geoPointValue.latitude ?? 0, v.geoPointValue.longitude ?? 0);
  if ('bytesValue' in v) {
    const b = v.bytesValue as Uint8Array | string;
    return typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : new Uint8Array(b);
  }
  return null;
}

export function fromFields(fields: Record<string, Value>): RMap {
  const m = new Map<string, RValue>();
  for (const k of Object.keys(fields)) m.set(k, fromFirestoreValue(fields[k]));
  return new RMap(m);
}

/** projects/p/databases/d/documents/a/b → /databases/d/documents/a/b, the form rules paths take. */
export function referenceToPath(name: string): RPath {
  const segments = name.split('/').filter((s) => s !== '');
  return new RPath(segments[0] === 'projects' ? segments.slice(2) : segments);
}

/** The rules `resource` object: __name__, id and data. */
export function documentToResource(doc: Document, databaseId: string, relativePath: string): RMap {
  const segments = relativePath.split('/').filter((s) => s !== '');
  return RMap.of({
    __name__: new RPath(['databases', databaseId, 'documents', ...segments]),
    id: segments[segments.length - 1] ?? '',
    data: fromFields(doc.fields ?? {}),
  });
}

/** Token claims are JSON; whole numbers become ints as they do in rules (iat, exp, auth_time). */
export function fromJson(v: unknown): RValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === 'bigint') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const m = new Map<string, RValue>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, fromJson(x));
    return new RMap(m);
  }
  return null;
}
