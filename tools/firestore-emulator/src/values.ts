import { comparePaths, compareUtf8 } from './paths.ts';
import { compareTimestamps } from './time.ts';
import type { Value } from './types.ts';

// Firestore's total order over values: null < booleans < numbers (NaN first; integers and doubles compare
// as numbers) < timestamps < strings (UTF-8 order) < bytes < references < geo points < arrays < vectors < maps.

enum TypeOrder {
  Null = 0,
  Boolean = 1,
  Number = 2,
  Timestamp = 3,
  String = 4,
  Bytes = 5,
  Reference = 6,
  GeoPoint = 7,
  Array = 8,
  Vector = 9,
  Map = 10,
}

export function typeOrder(value: Value): number {
  if ('nullValue' in value) return TypeOrder.Null;
  if ('booleanValue' in value) return TypeOrder.Boolean;
  if ('integerValue' in value || 'doubleValue' in value) return TypeOrder.Number;
  if ('timestampValue' in value) return TypeOrder.Timestamp;
  if ('stringValue' in value) return TypeOrder.String;
  if ('bytesValue' in value) return TypeOrder.Bytes;
  if ('referenceValue' in value) return TypeOrder.Reference;
  if ('geoPointValue' in value) return TypeOrder.GeoPoint;
  if ('arrayValue' in value) return TypeOrder.Array;
  if ('mapValue' in value) return isVector(value) ? TypeOrder.Vector : TypeOrder.Map;
  return TypeOrder.Null;
}

function isVector(value: { mapValue: { fields?: Record<string, Value> } }): boolean {
  const type = value.mapValue.fields?.__type__;
  return type !== undefined && 'stringValue' in type && type.stringValue === '__vector__';
}

export function isNumber(
  value: Value | undefined,
): value is { integerValue: string } | { doubleValue: number } {
  return value !== undefined && ('integerValue' in value || 'doubleValue' in value);
}

export function isNaNValue(value: Value | undefined): boolean {
  return value !== undefined && 'doubleValue' in value && Number.isNaN(value.doubleValue);
}

export function numberOf(value: { integerValue: string } | { doubleValue: number }): number {
  return 'integerValue' in value ? Number(value.integerValue) : value.doubleValue;
}

function compareNumbers(a: { integerValue: string } | { doubleValue: number }, b: typeof a): number {
  if ('integerValue' in a && 'integerValue' in b) {
    const x = BigInt(a.integerValue);
    const y = BigInt(b.integerValue);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = numberOf(a);
  const y = numberOf(b);
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  if (x < y) return -1;
  if (x > y) return 1;
  // Equal as doubles; an integer beyond 2^53 may still differ from the double it rounds to.
  if ('integerValue' in a && Number.isInteger(y) && Math.abs(y) < 2 ** 63) {
    const big = BigInt(a.integerValue) - BigInt(y);
    return big < 0n ? -1 : big > 0n ? 1 : 0;
  }
  if ('integerValue' in b && Number.isInteger(x) && Math.abs(x) < 2 ** 63) {
    const big = BigInt(x) - BigInt(b.integerValue);
    return big < 0n ? -1 : big > 0n ? 1 : 0;
  }
  return 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function compareReferences(a: string, b: string): number {
  return Math.sign(comparePaths(a, b));
}

function compareArrays(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

function compareMaps(a: Record<string, Value>, b: Record<string, Value>): number {
  const ak = Object.keys(a).sort(compareUtf8);
  const bk = Object.keys(b).sort(compareUtf8);
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(ak[i], bk[i]);
    if (c !== 0) return c;
    const v = compareValues(a[ak[i]], b[bk[i]]);
    if (v !== 0) return v;
  }
  return Math.sign(ak.length - bk.length);
}

function compareVectors(a: Record<string, Value>, b: Record<string, Value>): number {
  const av = (a.value as { arrayValue?: { values?: Value[] } })?.arrayValue?.values ?? [];
  const bv = (b.value as { arrayValue?: { values?: Value[] } })?.arrayValue?.values ?? [];
  if (av.length !== bv.length) return Math.sign(av.length - bv.length);
  return compareArrays(av, bv);
}

export function compareValues(a: Value, b: Value): number {
  // Fast paths for the common same-kind comparisons.
  if ('stringValue' in a && 'stringValue' in b) return compareUtf8(a.stringValue, b.stringValue);
  if ('integerValue' in a && 'integerValue' in b) {
    const x = a.integerValue;
    const y = b.integerValue;
    if (x === y) return 0;
    if (x.length < 16 && y.length < 16) return Number(x) < Number(y) ? -1 : 1;
  }
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case TypeOrder.Null:
      return 0;
    case TypeOrder.Boolean:
      return (
        Number((a as { booleanValue: boolean }).booleanValue) -
        Number((b as { booleanValue: boolean }).booleanValue)
      );
    case TypeOrder.Number:
      return compareNumbers(a as { integerValue: string }, b as { integerValue: string });
    case TypeOrder.Timestamp:
      return compareTimestamps(
        (a as { timestampValue: { seconds: string; nanos: number } }).timestampValue,
        (b as { timestampValue: { seconds: string; nanos: number } }).timestampValue,
      );
    case TypeOrder.String:
      return compareUtf8(
        (a as { stringValue: string }).stringValue,
        (b as { stringValue: string }).stringValue,
      );
    case TypeOrder.Bytes:
      return compareBytes(
        (a as { bytesValue: Uint8Array }).bytesValue,
        (b as { bytesValue: Uint8Array }).bytesValue,
      );
    case TypeOrder.Reference:
      return compareReferences(
        (a as { referenceValue: string }).referenceValue,
        (b as { referenceValue: string }).referenceValue,
      );
    case TypeOrder.GeoPoint: {
      const ga = (a as { geoPointValue: { latitude?: number; longitude?: number } }).geoPointValue;
      const gb = (b as { geoPointValue: { latitude?: number; longitude?: number } }).geoPointValue;
      const lat = Math.sign((ga.latitude ?? 0) - (gb.latitude ?? 0));
      return lat !== 0 ? lat : Math.sign((ga.longitude ?? 0) - (gb.longitude ?? 0));
    }
    case TypeOrder.Array:
      return compareArrays(
        (a as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [],
        (b as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [],
      );
    case TypeOrder.Vector:
      return compareVectors(
        (a as { mapValue: { fields: Record<string, Value> } }).mapValue.fields,
        (b as { mapValue: { fields: Record<string, Value> } }).mapValue.fields,
      );
    default:
      return compareMaps(
        (a as { mapValue: { fields?: Record<string, Value> } }).mapValue.fields ?? {},
        (b as { mapValue: { fields?: Record<string, Value> } }).mapValue.fields ?? {},
      );
  }
}

/** Equality as queries use it: numbers by value (1 == 1.0), NaN equal to NaN. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (isNaNValue(a) && isNaNValue(b)) return true;
  return compareValues(a, b) === 0;
}

/** Equality of stored data (1 and 1.0 differ), used to tell whether a write changed a document. */
export function valuesIdentical(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if ('integerValue' in a) return 'integerValue' in b && a.integerValue === b.integerValue;
  if ('doubleValue' in a) return 'doubleValue' in b && Object.is(a.doubleValue, b.doubleValue);
  if ('arrayValue' in a) {
    if (!('arrayValue' in b)) return false;
    const av = a.arrayValue.values ?? [];
    const bv = b.arrayValue.values ?? [];
    return av.length === bv.length && av.every((v, i) => valuesIdentical(v, bv[i]));
  }
  if ('mapValue' in a)
    return 'mapValue' in b && fieldsIdentical(a.mapValue.fields ?? {}, b.mapValue.fields ?? {});
  if (typeOrder(a) !== typeOrder(b)) return false;
  return compareValues(a, b) === 0;
}

export function fieldsIdentical(a: Record<string, Value>, b: Record<string, Value>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((key) => Object.hasOwn(b, key) && valuesIdentical(a[key], b[key]));
}

export function arrayContains(values: Value[] | undefined, needle: Value): boolean {
  return (values ?? []).some((value) => valuesEqual(value, needle));
}

/** Deep copy, so stored documents never share structure with requests or responses. */
export function cloneValue(value: Value): Value {
  if ('arrayValue' in value)
    return { arrayValue: { values: (value.arrayValue.values ?? []).map(cloneValue) } };
  if ('mapValue' in value) return { mapValue: { fields: cloneFields(value.mapValue.fields ?? {}) } };
  if ('timestampValue' in value) return { timestampValue: { ...value.timestampValue } };
  if ('geoPointValue' in value) return { geoPointValue: { ...value.geoPointValue } };
  return { ...value } as Value;
}

export function cloneFields(fields: Record<string, Value>): Record<string, Value> {
  const copy: Record<string, Value> = {};
  for (const key of Object.keys(fields)) copy[key] = cloneValue(fields[key]);
  return copy;
}

/** Storage size in bytes, following Firestore's documented size calculation. */
export function valueSize(value: Value): number {
  if ('nullValue' in value || 'booleanValue' in value) return 1;
  if ('integerValue' in value || 'doubleValue' in value || 'timestampValue' in value) return 8;
  if ('stringValue' in value) return Buffer.byteLength(value.stringValue) + 1;
  if ('bytesValue' in value) return value.bytesValue.length;
  if ('referenceValue' in value) return referenceSize(value.referenceValue);
  if ('geoPointValue' in value) return 16;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).reduce((sum, v) => sum + valueSize(v), 0);
  if ('mapValue' in value) return fieldsSize(value.mapValue.fields ?? {});
  return 0;
}

export function fieldsSize(fields: Record<string, Value>): number {
  let size = 0;
  for (const key of Object.keys(fields)) size += Buffer.byteLength(key) + 1 + valueSize(fields[key]);
  return size;
}

function referenceSize(name: string): number {
  const index = name.indexOf('/documents/');
  const path = index < 0 ? name : name.slice(index + '/documents/'.length);
  return path.split('/').reduce((sum, segment) => sum + Buffer.byteLength(segment) + 1, 16);
}

export function documentSize(path: string, fields: Record<string, Value>): number {
  return (
    path.split('/').reduce((sum, segment) => sum + Buffer.byteLength(segment) + 1, 16) +
    fieldsSize(fields) +
    32
  );
}

export function valueDepth(value: Value): number {
  if ('arrayValue' in value) return 1 + Math.max(0, ...(value.arrayValue.values ?? []).map(valueDepth));
  if ('mapValue' in value) return 1 + fieldsDepth(value.mapValue.fields ?? {});
  return 0;
}

export function fieldsDepth(fields: Record<string, Value>): number {
  let depth = 0;
  for (const key of Object.keys(fields)) depth = Math.max(depth, valueDepth(fields[key]));
  return depth;
}
