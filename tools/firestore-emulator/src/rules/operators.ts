import { evalError } from './errors.ts';
import {
  checkedInt,
  compareValues,
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

// The non-logical operators. && || ?: live in the evaluator because they control evaluation order.

export function binary(op: string, a: RValue, b: RValue): RValue {
  switch (op) {
    case '==':
      return valuesEqual(a, b);
    case '!=':
      return !valuesEqual(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const c = compareValues(a, b);
      if (Number.isNaN(c)) return false;
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    case 'in':
      return contains(b, a);
    case '+':
      return add(a, b);
    case '-':
      return subtract(a, b);
    case '*':
      return arithmetic(
        op,
        a,
        b,
        (x, y) => x * y,
        (x, y) => x * y,
      );
    case '/':
      return arithmetic(
        op,
        a,
        b,
        (x, y) => {
          if (y === 0n) throw evalError('division by zero');
          return x / y;
        },
        (x, y) => x / y,
      );
    case '%':
      return arithmetic(
        op,
        a,
        b,
        (x, y) => {
          if (y === 0n) throw evalError('modulo by zero');
          return x % y;
        },
        (x, y) => x % y,
      );
  }
  throw evalError(`unknown operator ${op}`);
}

function contains(container: RValue, item: RValue): boolean {
  if (Array.isArray(container)) return container.some((x) => valuesEqual(x, item));
  if (container instanceof RMap) return typeof item === 'string' && container.entries.has(item);
  if (container instanceof RSet) return container.has(item);
  throw evalError(`'in' needs a list, set or map on the right, got ${typeName(container)}`);
}

function arithmetic(
  op: string,
  a: RValue,
  b: RValue,
  ints: (x: bigint, y: bigint) => bigint,
  floats: (x: number, y: number) => number,
): RValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(ints(a, b));
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return floats(Number(a), Number(b));
  }
  throw undefinedOp(op, a, b);
}

function add(a: RValue, b: RValue): RValue {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  // Lists do not concatenate with + (Firestore answers "Unsupported operation"); list.concat() does.
  if (a instanceof RTimestamp && b instanceof RDuration) return new RTimestamp(a.nanos + b.nanos);
  if (a instanceof RDuration && b instanceof RTimestamp) return new RTimestamp(a.nanos + b.nanos);
  if (a instanceof RDuration && b instanceof RDuration) return new RDuration(a.nanos + b.nanos);
  return arithmetic(
    '+',
    a,
    b,
    (x, y) => x + y,
    (x, y) => x + y,
  );
}

function subtract(a: RValue, b: RValue): RValue {
  if (a instanceof RTimestamp && b instanceof RDuration) return new RTimestamp(a.nanos - b.nanos);
  if (a instanceof RTimestamp && b instanceof RTimestamp) return new RDuration(a.nanos - b.nanos);
  if (a instanceof RDuration && b instanceof RDuration) return new RDuration(a.nanos - b.nanos);
  return arithmetic(
    '-',
    a,
    b,
    (x, y) => x - y,
    (x, y) => x - y,
  );
}

export function negate(v: RValue): RValue {
  if (typeof v === 'bigint') return checkedInt(-v);
  if (typeof v === 'number') return -v;
  if (v instanceof RDuration) return new RDuration(-v.nanos);
  throw evalError(`unary '-' is not defined for ${typeName(v)}`);
}

function undefinedOp(op: string, a: RValue, b: RValue): Error {
  return evalError(`operator ${op} is not defined for ${typeName(a)} and ${typeName(b)}`);
}

export function isType(v: RValue, type: string): boolean {
  switch (type) {
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'bigint';
    case 'float':
      return typeof v === 'number';
    case 'number':
      return typeof v === 'bigint' || typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'bytes':
      return v instanceof Uint8Array;
    case 'list':
      return Array.isArray(v);
    case 'map':
      return v instanceof RMap;
    case 'set':
      return v instanceof RSet;
    case 'path':
      return v instanceof RPath;
    case 'timestamp':
      return v instanceof RTimestamp;
    case 'duration':
      return v instanceof RDuration;
    case 'latlng':
      return v instanceof RLatLng;
    case 'map_diff':
      return v instanceof RMapDiff;
  }
  return false;
}
