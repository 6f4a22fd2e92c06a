import { parseFieldPath } from '../fieldPaths.ts';
import { disjuncts, type LeafFilter, MAX_DISJUNCTS, type WhereFilter } from '../filters.ts';
import { fromFirestoreValue } from './convert.ts';
import { evalError, type RulesEvalError } from './errors.ts';
import { binary } from './operators.ts';
import {
  compareValues,
  type FieldConstraint,
  RConstrained,
  RMap,
  RPath,
  RQueryData,
  RSet,
  type RValue,
  valuesEqual,
} from './values.ts';

// "Rules are not filters": a list request is judged once, from the query's constraints, never from the
// documents it happens to return. `resource.data` of a query is an RQueryData: reading a field the query fixes
// with == (or IS_NULL) gives that value; a field it bounds (range, in, not-in, array-contains…) is an
// RConstrained, and a comparison with one is true only when it holds for every value the filters allow, false
// when it holds for none, and an error otherwise; a field the query leaves open is an error. Errors deny
// unless && / || decide without them, as everywhere in rules. An OR query is judged per disjunct: each must
// be allowed.

export interface Conjunction {
  /** Field path (segments joined by '\u0000') → what the filters say about it. */
  fields: Map<string, FieldConstraint>;
  /** Documents a `__name__ ==` / `in` filter pins the query to, as rules paths. */
  documents: RPath[] | null;
}

export const KEY_SEPARATOR = '\u0000';

export function unprovable(what: string): RulesEvalError {
  return evalError(`${what} cannot be proven from the query's filters (rules are not filters)`);
}

/** The query's where clause in disjunctive normal form, one Conjunction per disjunct. */
export function queryConjunctions(structuredQuery: unknown): Conjunction[] {
  const where = (structuredQuery as { where?: WhereFilter } | null)?.where;
  const all = disjuncts(where);
  if (!all) throw evalError(`the query has more than ${MAX_DISJUNCTS} disjunctions`);
  return all.map(conjunction);
}

function conjunction(leaves: LeafFilter[]): Conjunction {
  const fields = new Map<string, FieldConstraint>();
  let documents: RPath[] | null = null;
  const at = (fieldPath: string) => {
    const key = parseFieldPath(fieldPath).join(KEY_SEPARATOR);
    let c = fields.get(key);
    if (!c) {
      c = { excluded: [], contains: [] };
      fields.set(key, c);
    }
    return c;
  };
  const fix = (c: FieldConstraint, values: RValue[]) => {
    c.values = c.values ? c.values.filter((x) => values.some((y) => valuesEqual(x, y))) : values;
  };
  for (const leaf of leaves) {
    const ff = leaf.fieldFilter;
    if (ff?.field?.fieldPath && ff.value) {
      const value = fromFirestoreValue(ff.value);
      const list = Array.isArray(value) ? value : [];
      if (ff.field.fieldPath === '__name__') {
        if (ff.op === 'EQUAL' && value instanceof RPath) documents = [value];
        if (ff.op === 'IN') documents = list.filter((v): v is RPath => v instanceof RPath);
        continue;
      }
      const c = at(ff.field.fieldPath);
      switch (ff.op) {
        case 'EQUAL':
          fix(c, [value]);
          break;
        case 'IN':
          fix(c, list);
          break;
        case 'LESS_THAN':
        case 'LESS_THAN_OR_EQUAL':
          c.upper = { value, inclusive: ff.op === 'LESS_THAN_OR_EQUAL' };
          break;
        case 'GREATER_THAN':
        case 'GREATER_THAN_OR_EQUAL':
          c.lower = { value, inclusive: ff.op === 'GREATER_THAN_OR_EQUAL' };
          break;
        case 'NOT_EQUAL':
          c.excluded.push(value);
          break;
        case 'NOT_IN':
          c.excluded.push(...list);
          break;
        case 'ARRAY_CONTAINS':
          c.contains.push([value]);
          break;
        case 'ARRAY_CONTAINS_ANY':
          c.contains.push(list);
          break;
      }
    }
    const uf = leaf.unaryFilter;
    if (uf?.field?.fieldPath && uf.field.fieldPath !== '__name__') {
      const c = at(uf.field.fieldPath);
      if (uf.op === 'IS_NULL') fix(c, [null]);
      else if (uf.op === 'IS_NAN') fix(c, [Number.NaN]);
      else if (uf.op === 'IS_NOT_NULL') c.excluded.push(null);
      else if (uf.op === 'IS_NOT_NAN') c.excluded.push(Number.NaN);
    }
  }
  return { fields, documents };
}

/** `resource` of a list request for one disjunct: its data, and its id when the query pins one document. */
export function queryResource(conj: Conjunction): RMap {
  const entries = new Map<string, RValue>([['data', new RQueryData([], conj.fields)]]);
  if (conj.documents?.length === 1) {
    const only = conj.documents[0];
    entries.set('__name__', only);
    entries.set('id', only.segments[only.segments.length - 1]);
  }
  return new RMap(entries);
}

export function isSymbolic(v: RValue): v is RQueryData | RConstrained {
  return v instanceof RQueryData || v instanceof RConstrained;
}

function show(path: readonly string[]): string {
  return `resource.data.${path.join('.')}`;
}

/** resource.data.<name> (or a deeper map) of a query. */
export function symbolicField(target: RQueryData, name: string): RValue {
  const path = [...target.path, name];
  const key = path.join(KEY_SEPARATOR);
  const exact = target.constraints.get(key);
  if (exact) {
    if (exact.values?.length === 1) return exact.values[0];
    return new RConstrained(path, exact);
  }
  for (const other of target.constraints.keys()) {
    if (other.startsWith(key + KEY_SEPARATOR)) return new RQueryData(path, target.constraints);
  }
  throw unprovable(`${show(path)} (the query does not filter on it)`);
}

/** A comparison, `in`, or another operator with a query's field on one side. */
export function symbolicBinary(op: string, a: RValue, b: RValue): RValue {
  if (b instanceof RQueryData && op === 'in' && typeof a === 'string') {
    symbolicField(b, a);
    return true;
  }
  if (a instanceof RConstrained && !isSymbolic(b)) return decide(op, a, b);
  if (b instanceof RConstrained && !isSymbolic(a)) {
    if (op === 'in') return containsProof(b, a);
    const flipped: Record<string, string> = {
      '<': '>',
      '<=': '>=',
      '>': '<',
      '>=': '<=',
      '==': '==',
      '!=': '!=',
    };
    if (flipped[op]) return decide(flipped[op], b, a);
  }
  const sym = (isSymbolic(a) ? a : b) as RQueryData | RConstrained;
  throw unprovable(`'${op}' on ${show(sym.path)}`);
}

/** For every value the filters allow: true if `x op v` always holds, false if never, else an error. */
function decide(op: string, c: RConstrained, v: RValue): boolean {
  const { constraint } = c;
  if (constraint.values) {
    const results = constraint.values.map((x) => {
      try {
        return binary(op, x, v) === true;
      } catch {
        return null;
      }
    });
    if (results.length > 0 && results.every((r) => r === true)) return true;
    if (results.every((r) => r === false)) return false;
    throw unprovable(`${show(c.path)} ${op} ${typeLabel(v)}`);
  }
  const excluded = constraint.excluded.some((x) => valuesEqual(x, v));
  const outside = (constraint.lower || constraint.upper) && !inRange(constraint, v);
  switch (op) {
    case '==':
      if (excluded || outside) return false;
      break;
    case '!=':
      if (excluded || outside) return true;
      break;
    case '<':
      if (constraint.upper && atMost(constraint.upper, v, false)) return true;
      if (constraint.lower && atLeast(constraint.lower, v, true)) return false;
      break;
    case '<=':
      if (constraint.upper && atMost(constraint.upper, v, true)) return true;
      if (constraint.lower && atLeast(constraint.lower, v, false)) return false;
      break;
    case '>':
      if (constraint.lower && atLeast(constraint.lower, v, false)) return true;
      if (constraint.upper && atMost(constraint.upper, v, true)) return false;
      break;
    case '>=':
      if (constraint.lower && atLeast(constraint.lower, v, true)) return true;
      if (constraint.upper && atMost(constraint.upper, v, false)) return false;
      break;
    case 'in': {
      const items = Array.isArray(v) ? v : v instanceof RSet ? v.items : null;
      if (
        items &&
        constraint.excluded.length > 0 &&
        items.every((x) => constraint.excluded.some((y) => valuesEqual(x, y)))
      )
        return false;
      break;
    }
  }
  throw unprovable(`${show(c.path)} ${op} ${typeLabel(v)}`);
}

/** Every allowed x satisfies x < v (orEqual: x <= v), given x ≤ bound (or < bound). */
function atMost(bound: { value: RValue; inclusive: boolean }, v: RValue, orEqual: boolean): boolean {
  const c = safeCompare(bound.value, v);
  if (c === null) return false;
  return c < 0 || (c === 0 && (orEqual || !bound.inclusive));
}

/** Every allowed x satisfies x > v (orEqual: x >= v), given x ≥ bound (or > bound). */
function atLeast(bound: { value: RValue; inclusive: boolean }, v: RValue, orEqual: boolean): boolean {
  const c = safeCompare(bound.value, v);
  if (c === null) return false;
  return c > 0 || (c === 0 && (orEqual || !bound.inclusive));
}

function inRange(c: FieldConstraint, v: RValue): boolean {
  if (c.lower) {
    const x = safeCompare(v, c.lower.value);
    // A range filter only returns values of its bound's type: another type is outside.
    if (x === null || x < 0 || (x === 0 && !c.lower.inclusive)) return false;
  }
  if (c.upper) {
    const x = safeCompare(v, c.upper.value);
    if (x === null || x > 0 || (x === 0 && !c.upper.inclusive)) return false;
  }
  return true;
}

function safeCompare(a: RValue, b: RValue): number | null {
  try {
    const c = compareValues(a, b);
    return Number.isNaN(c) ? null : c;
  } catch {
    return null;
  }
}

/** `v in resource.data.list`: holds when an array-contains filter (or every allowed array) guarantees it. */
function containsProof(c: RConstrained, v: RValue): boolean {
  const { constraint } = c;
  if (constraint.contains.some((list) => list.length > 0 && list.every((x) => valuesEqual(x, v))))
    return true;
  if (
    constraint.values?.length &&
    constraint.values.every((x) => Array.isArray(x) && x.some((y) => valuesEqual(y, v)))
  )
    return true;
  throw unprovable(`${typeLabel(v)} in ${show(c.path)}`);
}

/** Methods on a query's fields: map.get() on resource.data, and list.hasAny/hasAll from array-contains. */
export function symbolicMethod(target: RQueryData | RConstrained, name: string, args: RValue[]): RValue {
  if (target instanceof RQueryData && name === 'get' && args.length === 2) {
    const keys = Array.isArray(args[0]) ? args[0] : [args[0]];
    let cur: RValue = target;
    for (const key of keys) {
      if (typeof key !== 'string') throw evalError('map.get() keys must be strings');
      if (!(cur instanceof RQueryData)) throw unprovable(`${show(target.path)}.get()`);
      cur = symbolicField(cur, key);
    }
    return cur;
  }
  if (target instanceof RConstrained && (name === 'hasAny' || name === 'hasAll') && args.length === 1) {
    const wanted = Array.isArray(args[0]) ? args[0] : args[0] instanceof RSet ? args[0].items : [];
    const lists = target.constraint.contains;
    if (
      name === 'hasAny' &&
      lists.some((list) => list.length > 0 && list.every((x) => wanted.some((w) => valuesEqual(w, x))))
    )
      return true;
    if (
      name === 'hasAll' &&
      wanted.every((w) => lists.some((l) => l.length > 0 && l.every((x) => valuesEqual(x, w))))
    )
      return true;
  }
  throw unprovable(`${show(target.path)}.${name}()`);
}

/** `resource.data.x is type` of a query. */
export function symbolicIs(
  target: RQueryData | RConstrained,
  type: string,
  isType: (v: RValue, t: string) => boolean,
): boolean {
  if (target instanceof RQueryData) return type === 'map';
  const values = target.constraint.values;
  if (values && values.length > 0) {
    const results = values.map((v) => isType(v, type));
    if (results.every(Boolean)) return true;
    if (!results.some(Boolean)) return false;
  }
  throw unprovable(`the type of ${show(target.path)}`);
}

function typeLabel(v: RValue): string {
  return v === null ? 'null' : typeof v === 'string' ? 'a string' : Array.isArray(v) ? 'a list' : 'a value';
}
