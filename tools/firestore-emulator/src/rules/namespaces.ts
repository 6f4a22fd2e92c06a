import { createHash } from 'node:crypto';
import { arity, asBytesOrUtf8, asInt, asNumber, asString } from './checks.ts';
import { evalError } from './errors.ts';
import {
  checkedInt,
  INT64_MAX,
  INT64_MIN,
  NANOS_PER_SECOND,
  RDuration,
  RLatLng,
  RPath,
  RTimestamp,
  type RValue,
  showValue,
  typeName,
} from './values.ts';

// Global conversion functions (int, float, string, bool, path, debug) and the namespaces math, hashing,
// timestamp, duration and latlng. Document access (get/exists/…) lives in the evaluator, which owns the budget.

/** The functions of each global namespace, for the load-time check. */
export const NAMESPACE_FUNCTIONS: Record<string, ReadonlySet<string>> = {
  math: new Set(['abs', 'ceil', 'floor', 'round', 'sqrt', 'pow', 'isInfinite', 'isNaN']),
  hashing: new Set(['crc32', 'crc32c', 'md5', 'sha256']),
  timestamp: new Set(['date', 'value']),
  duration: new Set(['abs', 'time', 'value']),
  latlng: new Set(['value']),
};
export const NAMESPACES = new Set(Object.keys(NAMESPACE_FUNCTIONS));
export const CONVERSIONS = new Set(['int', 'float', 'string', 'bool', 'path', 'debug']);

export function callConversion(name: string, args: RValue[]): RValue {
  arity(name, args, 1);
  const v = args[0];
  switch (name) {
    case 'int':
      return toInt(v);
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+|Infinity|NaN)\s*$/.test(v))
        return Number(v);
      throw evalError(`float() cannot convert ${typeName(v)}`);
    case 'string':
      if (typeof v === 'string') return v;
      if (v === null) return 'null';
      if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(1) : String(v);
      if (v instanceof RPath) return v.toString();
      throw evalError(`string() cannot convert ${typeName(v)}`);
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw evalError(`bool() cannot convert ${typeName(v)}`);
    case 'path':
      if (v instanceof RPath) return v;
      return RPath.parse(asString('path', v));
    case 'debug':
      console.log(`firestore rules debug: ${showValue(v)}`);
      return v;
  }
  throw evalError(`unknown function ${name}()`);
}

function toInt(v: RValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw evalError('int() cannot convert a non-finite float');
    const i = BigInt(Math.trunc(v));
    if (i < INT64_MIN || i > INT64_MAX) throw evalError('int() of this float overflows 64 bits');
    return i;
  }
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return checkedInt(BigInt(v.trim()));
  throw evalError(`int() cannot convert ${typeName(v)}`);
}

export function callNamespace(ns: string, name: string, args: RValue[]): RValue {
  const fn = `${ns}.${name}`;
  switch (ns) {
    case 'math':
      return mathFunction(fn, name, args);
    case 'hashing':
      arity(fn, args, 1);
      return hash(fn, name, asBytesOrUtf8(fn, args[0]));
    case 'timestamp':
      return timestampFunction(fn, name, args);
    case 'duration':
      return durationFunction(fn, name, args);
    case 'latlng':
      if (name === 'value') {
        arity(fn, args, 2);
        const lat = asNumber(fn, args[0]);
        const lng = asNumber(fn, args[1]);
        if (lat < -90 || lat > 90 || lng < -180 || lng > 180)
          throw evalError(`${fn}() coordinates out of range`);
        return new RLatLng(lat, lng);
      }
  }
  throw evalError(`unknown function ${fn}()`);
}

function mathFunction(fn: string, name: string, args: RValue[]): RValue {
  if (name === 'pow') {
    arity(fn, args, 2);
    return asNumber(fn, args[0]) ** asNumber(fn, args[1]);
  }
  arity(fn, args, 1);
  const v = args[0];
  switch (name) {
    case 'abs':
      if (typeof v === 'bigint') return checkedInt(v < 0n ? -v : v);
      return Math.abs(asNumber(fn, v));
    case 'ceil':
      return toInt(Math.ceil(asNumber(fn, v)));
    case 'floor':
      return toInt(Math.floor(asNumber(fn, v)));
    case 'round': {
      // Half away from zero, as the rules reference specifies.
      const x = asNumber(fn, v);
      return toInt(Math.sign(x) * Math.round(Math.abs(x)));
    }
    case 'sqrt':
      return Math.sqrt(asNumber(fn, v));
    case 'isInfinite':
      return typeof v === 'number' && (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY);
    case 'isNaN':
      if (typeof v !== 'number' && typeof v !== 'bigint') throw evalError(`${fn}() expects a number`);
      return typeof v === 'number' && Number.isNaN(v);
  }
  throw evalError(`unknown function ${fn}()`);
}

function hash(fn: string, name: string, data: Uint8Array): Uint8Array {
  switch (name) {
    case 'md5':
    case 'sha256':
      return new Uint8Array(createHash(name).update(data).digest());
    case 'crc32':
      return uint32Bytes(crc(data, CRC32_TABLE));
    case 'crc32c':
      return uint32Bytes(crc(data, CRC32C_TABLE));
  }
  throw evalError(`unknown function ${fn}()`);
}

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
const CRC32_TABLE = crcTable(0xedb88320);
const CRC32C_TABLE = crcTable(0x82f63b78);

function crc(data: Uint8Array, table: Uint32Array): number {
  let c = 0xffffffff;
  for (const b of data) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function uint32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

const UNIT_NANOS: Record<string, bigint> = {
  w: 7n * 86_400n * NANOS_PER_SECOND,
  d: 86_400n * NANOS_PER_SECOND,
  h: 3_600n * NANOS_PER_SECOND,
  m: 60n * NANOS_PER_SECOND,
  s: NANOS_PER_SECOND,
  ms: 1_000_000n,
  ns: 1n,
};

function durationFunction(fn: string, name: string, args: RValue[]): RValue {
  switch (name) {
    case 'value': {
      arity(fn, args, 2);
      const unit = asString(fn, args[1]);
      const scale = UNIT_NANOS[unit];
      if (scale === undefined)
        throw evalError(`${fn}() unit must be one of w, d, h, m, s, ms, ns; got '${unit}'`);
      return new RDuration(asInt(fn, args[0]) * scale);
    }
    case 'time': {
      arity(fn, args, 4);
      const [h, m, s, ns] = args.map((a) => asInt(fn, a));
      return new RDuration(((h * 60n + m) * 60n + s) * NANOS_PER_SECOND + ns);
    }
    case 'abs': {
      arity(fn, args, 1);
      const d = args[0];
      if (!(d instanceof RDuration)) throw evalError(`${fn}() expects a duration, got ${typeName(d)}`);
      return new RDuration(d.nanos < 0n ? -d.nanos : d.nanos);
    }
  }
  throw evalError(`unknown function ${fn}()`);
}

function timestampFunction(fn: string, name: string, args: RValue[]): RValue {
  switch (name) {
    case 'value':
      arity(fn, args, 1);
      return new RTimestamp(asInt(fn, args[0]) * 1_000_000n);
    case 'date': {
      arity(fn, args, 3);
      const [y, m, d] = args.map((a) => Number(asInt(fn, a)));
      if (m < 1 || m > 12 || d < 1 || d > 31) throw evalError(`${fn}() month or day out of range`);
      const ms = Date.UTC(y, m - 1, d);
      const back = new Date(ms);
      if (back.getUTCDate() !== d) throw evalError(`${fn}(${y}, ${m}, ${d}) is not a calendar date`);
      return new RTimestamp(BigInt(ms) * 1_000_000n);
    }
  }
  throw evalError(`unknown function ${fn}()`);
}
