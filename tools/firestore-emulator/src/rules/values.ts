import { evalError } from './errors.ts';

// Runtime values of the rules language. JavaScript primitives carry the scalar types so the hot path allocates
// little: null, boolean, bigint (int, 64-bit), number (float), string. The rest are small classes.

export type RValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | RValue[]
  | RMap
  | RSet
  | RPath
  | RTimestamp
  | RDuration
  | RLatLng
  | RMapDiff
  | RQueryData
  | RConstrained;

export class RMap {
  constructor(readonly entries: Map<string, RValue>) {}
  static of(record: Record<string, RValue>): RMap {
    return new RMap(new Map(Object.entries(record)));
  }
}

export class RSet {
  /** Distinct values (by rules equality), in first-seen order. */
  readonly items: RValue[];
  constructor(values: readonly RValue[]) {
    const items: RValue[] = [];
    for (const v of values) if (!items.some((x) => valuesEqual(x, v, true))) items.push(v);
    this.items = items;
  }
  has(v: RValue): boolean {
    return this.items.some((x) => valuesEqual(x, v, true));
  }
}

export class RPath {
  constructor(readonly segments: readonly string[]) {}
  static parse(text: string): RPath {
    return new RPath(text.split('/').filter((s) => s !== ''));
  }
  toString(): string {
    return '/' + this.segments.join('/');
  }
}

export const NANOS_PER_SECOND = 1_000_000_000n;

export class RTimestamp {
  /** Nanoseconds since the Unix epoch. */
  constructor(readonly nanos: bigint) {}
}

export class RDuration {
  constructor(readonly nanos: bigint) {}
}

export class RLatLng {
  constructor(
    readonly latitude: number,
    readonly longitude: number,
  ) {}
}

export class RMapDiff {
  constructor(
    readonly left: RMap,
    readonly right: RMap,
  ) {}
}

/**
 * `resource.data` (or a map inside it) of a list request: not a document but what the query's filters say
 * about every document it could return (query-constraints.ts gives it meaning).
 */
export class RQueryData {
  constructor(
    /** Field path of this map inside the document ([] = resource.data itself). */
    readonly path: readonly string[],
    readonly constraints: ReadonlyMap<string, FieldConstraint>,
  ) {}
}

/** A field of a list request's documents that the query constrains without fixing one value. */
export class RConstrained {
  constructor(
    readonly path: readonly string[],
    readonly constraint: FieldConstraint,
  ) {}
}

export interface Bound {
  value: RValue;
  inclusive: boolean;
}

/** What one conjunction of a query's filters says about one field (field paths joined with '.'). */
export interface FieldConstraint {
  /** EQUAL, IN, IS_NULL, IS_NAN: the field holds one of these. */
  values?: RValue[];
  lower?: Bound;
  upper?: Bound;
  /** NOT_EQUAL, NOT_IN: the field holds none of these. */
  excluded: RValue[];
  /** ARRAY_CONTAINS ([v]) and ARRAY_CONTAINS_ANY (list): the array holds one value of each list. */
  contains: RValue[][];
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function checkedInt(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw evalError('integer overflow');
  return v;
}

export function typeName(v: RValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof RMap) return 'map';
  if (v instanceof RSet) return 'set';
  if (v instanceof RPath) return 'path';
  if (v instanceof RTimestamp) return 'timestamp';
  if (v instanceof RDuration) return 'duration';
  if (v instanceof RLatLng) return 'latlng';
  if (v instanceof RMapDiff) return 'map_diff';
  if (v instanceof RQueryData) return 'map';
  return 'unknown';
}

/**
 * Equality as `==` defines it: values of different types are unequal (never an error). An int equals a float of
 * the same value at the top level, but not inside lists and maps; sets compare numbers by value at any depth.
 */
export function valuesEqual(a: RValue, b: RValue, numericInside = false, top = true): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    if (ta === tb) return a === b;
    if (!top && !numericInside) return false;
    const f = ta === 'number' ? (a as number) : (b as number);
    const i = ta === 'bigint' ? (a as bigint) : (b as bigint);
    return Number.isInteger(f) && BigInt(f) === i;
  }
  if (ta !== 'object' || tb !== 'object') return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i], numericInside, false));
  }
  if (a instanceof RMap && b instanceof RMap) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, v] of a.entries) {
      if (!b.entries.has(k) || !valuesEqual(v, b.entries.get(k) as RValue, numericInside, false))
        return false;
    }
    return true;
  }
  if (a instanceof RSet && b instanceof RSet) {
    return a.items.length === b.items.length && a.items.every((x) => b.has(x));
  }
  if (a instanceof RPath && b instanceof RPath) {
    return a.segments.length === b.segments.length && a.segments.every((s, i) => s === b.segments[i]);
  }
  if (a instanceof RTimestamp && b instanceof RTimestamp) return a.nanos === b.nanos;
  if (a instanceof RDuration && b instanceof RDuration) return a.nanos === b.nanos;
  if (a instanceof RLatLng && b instanceof RLatLng)
    return a.latitude === b.latitude && a.longitude === b.longitude;
  return false;
}

/** Ordering for < <= > >=: numbers, strings, timestamps, durations, bytes; anything else is an error. */
export function compareValues(a: RValue, b: RValue): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    if (ta === 'bigint' && tb === 'bigint') return a === b ? 0 : (a as bigint) < (b as bigint) ? -1 : 1;
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if (a instanceof RTimestamp && b instanceof RTimestamp) return cmpBig(a.nanos, b.nanos);
  if (a instanceof RDuration && b instanceof RDuration) return cmpBig(a.nanos, b.nanos);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length - b.length;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw evalError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

function cmpBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Rules strings compare as Java strings do: by UTF-16 code unit. */
function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** A short rendering for messages and debug(). */
export function showValue(v: RValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(1) : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (v instanceof RMap)
    return `{${[...v.entries].map(([k, x]) => `${JSON.stringify(k)}: ${showValue(x)}`).join(', ')}}`;
  if (v instanceof RSet) return `set(${v.items.map(showValue).join(', ')})`;
  if (v instanceof RPath) return `path(${v.toString()})`;
  if (v instanceof RTimestamp) return `timestamp(${timestampToIso(v)})`;
  if (v instanceof RDuration) return `duration(${v.nanos}ns)`;
  if (v instanceof RLatLng) return `latlng(${v.latitude}, ${v.longitude})`;
  if (v instanceof Uint8Array) return `bytes(${Buffer.from(v).toString('hex')})`;
  return typeName(v);
}

export function timestampToIso(t: RTimestamp): string {
  const ms = t.nanos / 1_000_000n;
  return new Date(Number(ms)).toISOString();
}
