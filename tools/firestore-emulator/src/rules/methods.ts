import { arity, asItems, asMap, asString } from './checks.ts';
import { evalError } from './errors.ts';
import { compileRe2, re2Replacement } from './regex.ts';
import {
  NANOS_PER_SECOND,
  RDuration,
  RLatLng,
  RMap,
  RMapDiff,
  RPath,
  RSet,
  RTimestamp,
  type RValue,
  typeName,
  valuesEqual,
} from './values.ts';

// Methods of the rules types: string, list, map, set, MapDiff, bytes, path, timestamp, duration, latlng.

export function callMethod(target: RValue, name: string, args: RValue[]): RValue {
  if (target === null) throw evalError(`null value has no method '${name}'`);
  if (typeof target === 'string') return stringMethod(target, name, args);
  if (Array.isArray(target)) return listMethod(target, name, args);
  if (target instanceof RMap) return mapMethod(target, name, args);
  if (target instanceof RSet) return setMethod(target, name, args);
  if (target instanceof RMapDiff) return mapDiffMethod(target, name, args);
  if (target instanceof Uint8Array) return bytesMethod(target, name, args);
  if (target instanceof RTimestamp) return timestampMethod(target, name, args);
  if (target instanceof RDuration) return durationMethod(target, name, args);
  if (target instanceof RLatLng) return latlngMethod(target, name, args);
  if (target instanceof RPath) return pathMethod(target, name, args);
  throw noMethod(target, name);
}

function noMethod(target: RValue, name: string): Error {
  return evalError(`${typeName(target)} has no method '${name}'`);
}

function stringMethod(s: string, name: string, args: RValue[]): RValue {
  const fn = `string.${name}`;
  switch (name) {
    // Rules strings behave as Java strings: sizes count UTF-16 code units and case mapping is ASCII only.
    case 'size':
      arity(fn, args, 0);
      return BigInt(s.length);
    case 'lower':
      arity(fn, args, 0);
      return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    case 'upper':
      arity(fn, args, 0);
      return s.replace(/[a-z]/g, (c) => c.toUpperCase());
    case 'trim':
      arity(fn, args, 0);
      return s.trim();
    case 'matches':
      arity(fn, args, 1);
      return compileRe2(asString(fn, args[0]), 'full').test(s);
    case 'replace': {
      arity(fn, args, 2);
      const re = compileRe2(asString(fn, args[0]), 'global');
      return s.replace(re, re2Replacement(asString(fn, args[1])));
    }
    case 'split':
      arity(fn, args, 1);
      return s.split(compileRe2(asString(fn, args[0]), 'global'));
    case 'toUtf8':
      arity(fn, args, 0);
      return new Uint8Array(Buffer.from(s, 'utf8'));
  }
  throw noMethod(s, name);
}

function listMethod(list: RValue[], name: string, args: RValue[]): RValue {
  const fn = `list.${name}`;
  const contains = (v: RValue) => list.some((x) => valuesEqual(x, v));
  switch (name) {
    case 'size':
      arity(fn, args, 0);
      return BigInt(list.length);
    case 'concat':
      arity(fn, args, 1);
      if (!Array.isArray(args[0])) throw evalError(`${fn}() expects a list, got ${typeName(args[0])}`);
      return [...list, ...args[0]];
    case 'hasAll':
      arity(fn, args, 1);
      return asItems(fn, args[0]).every(contains);
    case 'hasAny':
      arity(fn, args, 1);
      return asItems(fn, args[0]).some(contains);
    case 'hasOnly': {
      arity(fn, args, 1);
      const allowed = asItems(fn, args[0]);
      return list.every((x) => allowed.some((a) => valuesEqual(a, x)));
    }
    case 'join': {
      arity(fn, args, 1);
      const sep = asString(fn, args[0]);
      return list
        .map((x) => {
          if (typeof x !== 'string') throw evalError(`${fn}() needs a list of strings, found ${typeName(x)}`);
          return x;
        })
        .join(sep);
    }
    case 'removeAll': {
      arity(fn, args, 1);
      const drop = asItems(fn, args[0]);
      return list.filter((x) => !drop.some((d) => valuesEqual(d, x)));
    }
    case 'toSet':
      arity(fn, args, 0);
      return new RSet(list);
  }
  throw noMethod(list, name);
}

function mapMethod(map: RMap, name: string, args: RValue[]): RValue {
  const fn = `map.${name}`;
  switch (name) {
    case 'size':
      arity(fn, args, 0);
      return BigInt(map.entries.size);
    case 'keys':
      arity(fn, args, 0);
      return [...map.entries.keys()];
    case 'values':
      arity(fn, args, 0);
      return [...map.entries.values()];
    case 'diff':
      arity(fn, args, 1);
      return new RMapDiff(map, asMap(fn, args[0]));
    case 'get': {
      arity(fn, args, 2);
      const key = args[0];
      const keys = Array.isArray(key) ? key : [key];
      let current: RValue = map;
      for (const k of keys) {
        if (typeof k !== 'string') throw evalError(`${fn}() keys must be strings, got ${typeName(k)}`);
        if (!(current instanceof RMap) || !current.entries.has(k)) return args[1];
        current = current.entries.get(k) as RValue;
      }
      return current;
    }
  }
  throw noMethod(map, name);
}

function setMethod(set: RSet, name: string, args: RValue[]): RValue {
  const fn = `set.${name}`;
  const other = () => {
    arity(fn, args, 1);
    return asItems(fn, args[0]);
  };
  switch (name) {
    case 'size':
      arity(fn, args, 0);
      return BigInt(set.items.length);
    case 'hasAll':
      return other().every((x) => set.has(x));
    case 'hasAny':
      return other().some((x) => set.has(x));
    case 'hasOnly': {
      const allowed = other();
      return set.items.every((x) => allowed.some((a) => valuesEqual(a, x, true)));
    }
    case 'difference': {
      const o = new RSet(other());
      return new RSet(set.items.filter((x) => !o.has(x)));
    }
    case 'intersection': {
      const o = new RSet(other());
      return new RSet(set.items.filter((x) => o.has(x)));
    }
    case 'union':
      return new RSet([...set.items, ...other()]);
  }
  throw noMethod(set, name);
}

function mapDiffMethod(d: RMapDiff, name: string, args: RValue[]): RValue {
  arity(`map_diff.${name}`, args, 0);
  const left = d.left.entries;
  const right = d.right.entries;
  const added = [...left.keys()].filter((k) => !right.has(k));
  const removed = [...right.keys()].filter((k) => !left.has(k));
  const both = [...left.keys()].filter((k) => right.has(k));
  const changed = both.filter((k) => !valuesEqual(left.get(k) as RValue, right.get(k) as RValue, true));
  switch (name) {
    case 'addedKeys':
      return new RSet(added);
    case 'removedKeys':
      return new RSet(removed);
    case 'changedKeys':
      return new RSet(changed);
    case 'affectedKeys':
      return new RSet([...added, ...removed, ...changed]);
    case 'unchangedKeys':
      return new RSet(both.filter((k) => !changed.includes(k)));
  }
  throw noMethod(d, name);
}

function bytesMethod(b: Uint8Array, name: string, args: RValue[]): RValue {
  arity(`bytes.${name}`, args, 0);
  switch (name) {
    case 'size':
      return BigInt(b.length);
    case 'toBase64':
      // The base64url alphabet (RFC 4648 §5), as the rules reference specifies.
      return Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'toHexString':
      return Buffer.from(b).toString('hex').toUpperCase();
  }
  throw noMethod(b, name);
}

function pathMethod(p: RPath, name: string, args: RValue[]): RValue {
  if (name === 'bind') {
    arity('path.bind', args, 1);
    const bindings = asMap('path.bind', args[0]);
    return new RPath(
      p.segments.map((s) => {
        const m = /^\{(\w+)\}$/.exec(s);
        if (!m) return s;
        const v = bindings.entries.get(m[1]);
        if (v === undefined) throw evalError(`path.bind() has no binding for '${m[1]}'`);
        if (typeof v !== 'string') throw evalError(`path.bind() binding '${m[1]}' must be a string`);
        return v;
      }),
    );
  }
  throw noMethod(p, name);
}

const DAY_NANOS = 86_400n * NANOS_PER_SECOND;

function timestampMethod(t: RTimestamp, name: string, args: RValue[]): RValue {
  arity(`timestamp.${name}`, args, 0);
  const ms = Number(floorDiv(t.nanos, 1_000_000n));
  const date = new Date(ms);
  const dayNanos = t.nanos - floorDiv(t.nanos, DAY_NANOS) * DAY_NANOS;
  switch (name) {
    case 'date':
      return new RTimestamp(t.nanos - dayNanos);
    case 'year':
      return BigInt(date.getUTCFullYear());
    case 'month':
      return BigInt(date.getUTCMonth() + 1);
    case 'day':
      return BigInt(date.getUTCDate());
    case 'hours':
      return BigInt(date.getUTCHours());
    case 'minutes':
      return BigInt(date.getUTCMinutes());
    case 'seconds':
      return BigInt(date.getUTCSeconds());
    case 'nanos':
      return t.nanos - floorDiv(t.nanos, NANOS_PER_SECOND) * NANOS_PER_SECOND;
    case 'dayOfWeek':
      // 1 = Monday … 7 = Sunday
      return BigInt(((date.getUTCDay() + 6) % 7) + 1);
    case 'dayOfYear': {
      const start = Date.UTC(date.getUTCFullYear(), 0, 1);
      return BigInt(Math.floor((ms - start) / 86_400_000) + 1);
    }
    case 'time':
      return new RDuration(dayNanos);
    case 'toMillis':
      return floorDiv(t.nanos, 1_000_000n);
  }
  throw noMethod(t, name);
}

function durationMethod(d: RDuration, name: string, args: RValue[]): RValue {
  arity(`duration.${name}`, args, 0);
  switch (name) {
    case 'seconds':
      return d.nanos / NANOS_PER_SECOND;
    case 'nanos':
      return d.nanos % NANOS_PER_SECOND;
  }
  throw noMethod(d, name);
}

function latlngMethod(p: RLatLng, name: string, args: RValue[]): RValue {
  const fn = `latlng.${name}`;
  switch (name) {
    case 'latitude':
      arity(fn, args, 0);
      return p.latitude;
    case 'longitude':
      arity(fn, args, 0);
      return p.longitude;
    case 'distance': {
      arity(fn, args, 1);
      const o = args[0];
      if (!(o instanceof RLatLng)) throw evalError(`${fn}() expects a latlng, got ${typeName(o)}`);
      return haversineMeters(p, o);
    }
  }
  throw noMethod(p, name);
}

function haversineMeters(a: RLatLng, b: RLatLng): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLng = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
