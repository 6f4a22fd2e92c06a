import { evalError } from './errors.ts';
import { RMap, RSet, type RValue, typeName } from './values.ts';

// Argument checks shared by the methods and namespaces; each failure is an evaluation error naming the call.

export function arity(fn: string, args: RValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw evalError(`${fn}() takes ${want} argument${max === 1 ? '' : 's'}, got ${args.length}`);
  }
}

export function asString(fn: string, v: RValue): string {
  if (typeof v !== 'string') throw evalError(`${fn}() expects a string, got ${typeName(v)}`);
  return v;
}

export function asInt(fn: string, v: RValue): bigint {
  if (typeof v !== 'bigint') throw evalError(`${fn}() expects an int, got ${typeName(v)}`);
  return v;
}

export function asNumber(fn: string, v: RValue): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw evalError(`${fn}() expects a number, got ${typeName(v)}`);
  return v;
}

export function asMap(fn: string, v: RValue): RMap {
  if (!(v instanceof RMap)) throw evalError(`${fn}() expects a map, got ${typeName(v)}`);
  return v;
}

/** Lists and sets both serve as collections of values (hasAll accepts either). */
export function asItems(fn: string, v: RValue): RValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.items;
  throw evalError(`${fn}() expects a list or set, got ${typeName(v)}`);
}

export function asBytesOrUtf8(fn: string, v: RValue): Uint8Array {
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  if (v instanceof Uint8Array) return v;
  throw evalError(`${fn}() expects a string or bytes, got ${typeName(v)}`);
}
