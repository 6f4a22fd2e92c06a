// One file on purpose (~440 lines): validation, matching, implicit ordering and cursors all walk the same
// compiled query, and the index check (indexes.ts) and rules (authorizer) read that one shape.
import { invalidArgument } from './errors.ts';
import { canonicalFieldPath, getField, parseFieldPath } from './fieldPaths.ts';
import { comparePaths, lastSegment, parentPath } from './paths.ts';
import type { ReadView } from './store.ts';
import type { Document, Value } from './types.ts';
import { arrayContains, compareValues, isNaNValue, typeOrder, valuesEqual } from './values.ts';

// StructuredQuery: validation with the real service's INVALID_ARGUMENT errors, matching, Firestore's
// implicit ordering (explicit orders, then inequality fields, then __name__), cursors, offset, limit, select.

interface FieldReference {
  fieldPath: string;
}
interface FieldFilter {
  field: FieldReference;
  op: string;
  value: Value;
}
interface UnaryFilter {
  op: string;
  field: FieldReference;
}
interface CompositeFilter {
  op: string;
  filters?: Filter[];
}
export interface Filter {
  fieldFilter?: FieldFilter;
  unaryFilter?: UnaryFilter;
  compositeFilter?: CompositeFilter;
}
interface Order {
  field: FieldReference;
  direction?: string;
}
interface Cursor {
  values?: Value[];
  before?: boolean;
}
export interface StructuredQuery {
  select?: { fields?: FieldReference[] };
  from?: { collectionId?: string; allDescendants?: boolean }[];
  where?: Filter;
  orderBy?: Order[];
  startAt?: Cursor;
  endAt?: Cursor;
  offset?: number;
  limit?: { value?: number };
  findNearest?: unknown;
}

interface CompiledOrder {
  segments: string[];
  isName: boolean;
  descending: boolean;
}

export interface CompiledQuery {
  /** Relative path of the parent document ('' = database root). */
  parent: string;
  collectionId: string;
  allDescendants: boolean;
  matches(doc: Document): boolean;
  compare(a: Document, b: Document): number;
  orders: CompiledOrder[];
  startAt?: Cursor;
  endAt?: Cursor;
  offset: number;
  limit?: number;
  select?: string[][];
  /** Whether a document path belongs to the queried collection(s), regardless of filters. */
  inScope(path: string): boolean;
}

const inequalityOps = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
]);

const NAME = '__name__';

function nameValue(doc: Document): Value {
  return { referenceValue: doc.name };
}

function fieldValue(doc: Document, segments: string[], isName: boolean): Value | undefined {
  return isName ? nameValue(doc) : getField(doc.fields, segments);
}

export function compileQuery(query: StructuredQuery, parent: string, databasePrefix: string): CompiledQuery {
  if (query.findNearest)
    throw invalidArgument('Vector search (find_nearest) is not supported by this emulator.');
  const from = query.from ?? [];
  if (from.length !== 1 || (!from[0].collectionId && !from[0].allDescendants)) {
    throw invalidArgument('A query must have exactly one collection selector with a collection id.');
  }
  // An all-descendants selector without a collection id is a kindless query: every document below parent.
  const { collectionId = '', allDescendants = false } = from[0];
  if (collectionId.includes('/')) throw invalidArgument(`Invalid collection id: ${collectionId}`);
  const offset = query.offset ?? 0;
  if (offset < 0) throw invalidArgument('offset must be non-negative.');
  const limit = query.limit?.value;
  if (limit !== undefined && limit < 0) throw invalidArgument('limit is negative');

  const inequalityFields: string[] = [];
  const matcher = query.where
    ? compileFilter(query.where, inequalityFields, databasePrefix, { notIn: 0, arrayContains: 0 })
    : () => true;

  // Implicit ordering: explicit orders, then inequality fields not yet ordered (in field path order), then __name__.
  const explicit = (query.orderBy ?? []).map((order) => {
    if (!order.field?.fieldPath) throw invalidArgument('An order by needs a field.');
    const path = canonicalFieldPath(order.field.fieldPath);
    return { path, descending: order.direction === 'DESCENDING' };
  });
  const seen = new Set(explicit.map((order) => order.path));
  const lastDirection = explicit.length > 0 ? explicit[explicit.length - 1].descending : false;
  const implicit = [...new Set(inequalityFields)]
    .filter((path) => !seen.has(path))
    .sort((a, b) => (a === NAME ? 1 : b === NAME ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map((path) => ({ path, descending: lastDirection }));
  const all = [...explicit, ...implicit];
  if (!all.some((order) => order.path === NAME)) all.push({ path: NAME, descending: lastDirection });
  const orders: CompiledOrder[] = all.map(({ path, descending }) => ({
    segments: parseFieldPath(path),
    isName: path === NAME,
    descending,
  }));

  for (const [cursor, label] of [
    [query.startAt, 'start'],
    [query.endAt, 'end'],
  ] as const) {
    if (!cursor) continue;
    const values = cursor.values ?? [];
    if (values.length > orders.length) {
      throw invalidArgument(
        `Too many cursor values specified. The specified order by clause has ${orders.length} fields, but the ${label} cursor has ${values.length} values.`,
      );
    }
    values.forEach((value, i) => {
      if (orders[i].isName && !('referenceValue' in value)) {
        throw invalidArgument('The cursor value for __name__ must be a document reference.');
      }
    });
  }

  const compare = (a: Document, b: Document): number => {
    for (const order of orders) {
      const c = order.isName
        ? compareValues(nameValue(a), nameValue(b))
        : compareValues(getField(a.fields, order.segments)!, getField(b.fields, order.segments)!);
      if (c !== 0) return order.descending ? -c : c;
    }
    return 0;
  };

  const orderFieldsPresent = (doc: Document) =>
    orders.every((order) => order.isName || getField(doc.fields, order.segments) !== undefined);

  const select = query.select?.fields
    ? query.select.fields.map((f) => parseFieldPath(f.fieldPath))
    : undefined;

  const inScope = (path: string): boolean => {
    const collectionPath = parentPath(path);
    if (!allDescendants)
      return collectionPath === (parent === '' ? collectionId : `${parent}/${collectionId}`);
    return (
      lastSegment(collectionPath) === collectionId &&
      (parent === '' || collectionPath.startsWith(parent + '/'))
    );
  };

  return {
    parent,
    collectionId,
    allDescendants,
    matches: (doc) => orderFieldsPresent(doc) && matcher(doc),
    compare,
    orders,
    startAt: query.startAt,
    endAt: query.endAt,
    offset,
    limit,
    select,
    inScope,
  };
}

function compileFilter(
  filter: Filter,
  inequalityFields: string[],
  databasePrefix: string,
  counts: { notIn: number; arrayContains: number },
): (doc: Document) => boolean {
  if (filter.compositeFilter) {
    const { op, filters = [] } = filter.compositeFilter;
    if (filters.length === 0) throw invalidArgument('A composite filter must have at least one filter.');
    const compiled = filters.map((f) => compileFilter(f, inequalityFields, databasePrefix, counts));
    if (op === 'AND') return (doc) => compiled.every((m) => m(doc));
    if (op === 'OR') return (doc) => compiled.some((m) => m(doc));
    throw invalidArgument(`Unsupported composite filter operator: ${op}`);
  }
  if (filter.unaryFilter) {
    const { op, field } = filter.unaryFilter;
    const path = canonicalFieldPath(field.fieldPath);
    const segments = parseFieldPath(path);
    switch (op) {
      case 'IS_NAN':
        return (doc) => isNaNValue(getField(doc.fields, segments));
      case 'IS_NULL':
        return (doc) => {
          const value = getField(doc.fields, segments);
          return value !== undefined && 'nullValue' in value;
        };
      case 'IS_NOT_NAN':
        inequalityFields.push(path);
        return (doc) => {
          const value = getField(doc.fields, segments);
          return value !== undefined && !isNaNValue(value) && !('nullValue' in value);
        };
      case 'IS_NOT_NULL':
        inequalityFields.push(path);
        return (doc) => {
          const value = getField(doc.fields, segments);
          return value !== undefined && !('nullValue' in value);
        };
      default:
        throw invalidArgument(`Unsupported unary filter operator: ${op}`);
    }
  }
  if (filter.fieldFilter)
    return compileFieldFilter(filter.fieldFilter, inequalityFields, databasePrefix, counts);
  throw invalidArgument('A filter must have a field, unary or composite filter.');
}

function compileFieldFilter(
  filter: FieldFilter,
  inequalityFields: string[],
  databasePrefix: string,
  counts: { notIn: number; arrayContains: number },
): (doc: Document) => boolean {
  const { op, value } = filter;
  if (!filter.field?.fieldPath) throw invalidArgument('A field filter needs a field.');
  if (!value) throw invalidArgument(`The filter on ${filter.field.fieldPath} has no value.`);
  const path = canonicalFieldPath(filter.field.fieldPath);
  const isName = path === NAME;
  const segments = parseFieldPath(path);
  if (inequalityOps.has(op)) inequalityFields.push(path);

  const listOps = ['IN', 'NOT_IN', 'ARRAY_CONTAINS_ANY'];
  if (listOps.includes(op)) {
    if (!('arrayValue' in value)) throw invalidArgument(`A filter with ${op} requires an array value.`);
    const count = value.arrayValue.values?.length ?? 0;
    if (count === 0) throw invalidArgument(`A filter with ${op} requires a non-empty array value.`);
    const max = op === 'NOT_IN' ? 10 : 30;
    if (count > max) {
      throw invalidArgument(`'${op}' supports up to ${max} comparison values, but ${count} were given.`);
    }
  }
  if (op === 'NOT_IN' && ++counts.notIn > 1)
    throw invalidArgument('A query can have at most one NOT_IN filter.');
  if ((op === 'ARRAY_CONTAINS' || op === 'ARRAY_CONTAINS_ANY') && ++counts.arrayContains > 1) {
    throw invalidArgument('A query can have at most one ARRAY_CONTAINS or ARRAY_CONTAINS_ANY filter.');
  }
  if (isName) {
    const check = (v: Value) => {
      if (!('referenceValue' in v)) {
        throw invalidArgument(`__key__ filter value must be a Key`);
      }
      if (!v.referenceValue.startsWith(databasePrefix)) {
        throw invalidArgument(`__key__ filter value must be a Key in this database: ${v.referenceValue}`);
      }
    };
    if ('arrayValue' in value && listOps.includes(op)) (value.arrayValue.values ?? []).forEach(check);
    else if (op !== 'ARRAY_CONTAINS') check(value);
    if (op === 'ARRAY_CONTAINS' || op === 'ARRAY_CONTAINS_ANY') {
      throw invalidArgument(`${op} is not supported on __name__.`);
    }
  }
  if (isNaNValue(value) || 'nullValue' in value) {
    if (!['EQUAL', 'NOT_EQUAL'].includes(op)) {
      throw invalidArgument('Only EQUAL and NOT_EQUAL may compare with null or NaN (use a unary filter).');
    }
  }

  const get = (doc: Document) => fieldValue(doc, segments, isName);
  const sameType = (a: Value, b: Value) => typeOrder(a) === typeOrder(b);
  switch (op) {
    case 'EQUAL':
      return (doc) => {
        const v = get(doc);
        return v !== undefined && valuesEqual(v, value);
      };
    case 'NOT_EQUAL':
      return (doc) => {
        const v = get(doc);
        return v !== undefined && !('nullValue' in v) && !valuesEqual(v, value);
      };
    case 'LESS_THAN':
    case 'LESS_THAN_OR_EQUAL':
    case 'GREATER_THAN':
    case 'GREATER_THAN_OR_EQUAL':
      return (doc) => {
        const v = get(doc);
        // NaN is the smallest number, so it falls inside ranges below a number (as the SDKs match locally).
        if (v === undefined || !sameType(v, value)) return false;
        const c = compareValues(v, value);
        if (op === 'LESS_THAN') return c < 0;
        if (op === 'LESS_THAN_OR_EQUAL') return c <= 0;
        if (op === 'GREATER_THAN') return c > 0;
        return c >= 0;
      };
    case 'ARRAY_CONTAINS':
      return (doc) => {
        const v = get(doc);
        return v !== undefined && 'arrayValue' in v && arrayContains(v.arrayValue.values, value);
      };
    case 'ARRAY_CONTAINS_ANY': {
      const needles = (value as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      return (doc) => {
        const v = get(doc);
        return (
          v !== undefined && 'arrayValue' in v && needles.some((n) => arrayContains(v.arrayValue.values, n))
        );
      };
    }
    case 'IN': {
      const list = (value as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      return (doc) => {
        const v = get(doc);
        return v !== undefined && arrayContains(list, v);
      };
    }
    case 'NOT_IN': {
      const list = (value as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      // A null in the list makes NOT_IN match nothing (as the SDKs evaluate it locally too).
      if (list.some((v) => 'nullValue' in v)) return () => false;
      return (doc) => {
        const v = get(doc);
        return v !== undefined && !('nullValue' in v) && !arrayContains(list, v);
      };
    }
    default:
      throw invalidArgument(`Unsupported field filter operator: ${op}`);
  }
}

function compareToCursor(doc: Document, cursor: Cursor, orders: CompiledOrder[]): number {
  const values = cursor.values ?? [];
  for (let i = 0; i < values.length; i++) {
    const order = orders[i];
    const v = fieldValue(doc, order.segments, order.isName)!;
    const c = compareValues(v, values[i]);
    if (c !== 0) return order.descending ? -c : c;
  }
  return 0;
}

/** The documents a query selects from a view, ordered, cursors, offset and limit applied (projection not). */
export function runQuery(query: CompiledQuery, view: ReadView): Document[] {
  const candidates = query.allDescendants
    ? query.collectionId === ''
      ? view.descendants(query.parent)
      : view.collectionGroup(query.parent, query.collectionId)
    : view.collection(query.parent === '' ? query.collectionId : `${query.parent}/${query.collectionId}`);
  // Each result's order-by values are read once, then the sort compares those keys. With a small limit only
  // the first offset+limit results are kept (bounded insertion), so a page over many matches stays cheap.
  const orders = query.orders;
  type Keyed = { doc: Document; keys: Value[] };
  const compare = (a: Keyed, b: Keyed): number => {
    for (let i = 0; i < orders.length; i++) {
      const c = orders[i].isName ? comparePaths(a.doc.name, b.doc.name) : compareValues(a.keys[i], b.keys[i]);
      if (c !== 0) return orders[i].descending ? -c : c;
    }
    return 0;
  };
  const keep = query.limit === undefined ? Number.POSITIVE_INFINITY : query.offset + query.limit;
  const bounded = keep <= 1000;
  const keyed: Keyed[] = [];
  for (const doc of candidates) {
    if (!query.matches(doc)) continue;
    if (query.startAt) {
      const c = compareToCursor(doc, query.startAt, orders);
      if (c < 0 || (c === 0 && !query.startAt.before)) continue;
    }
    if (query.endAt) {
      const c = compareToCursor(doc, query.endAt, orders);
      if (c > 0 || (c === 0 && query.endAt.before)) continue;
    }
    const entry = { doc, keys: orders.map((order) => fieldValue(doc, order.segments, order.isName)!) };
    if (!bounded) {
      keyed.push(entry);
      continue;
    }
    if (keep === 0) continue;
    if (keyed.length === keep && compare(entry, keyed[keep - 1]) >= 0) continue;
    let low = 0;
    let high = keyed.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(keyed[mid], entry) <= 0) low = mid + 1;
      else high = mid;
    }
    keyed.splice(low, 0, entry);
    if (keyed.length > keep) keyed.pop();
  }
  if (!bounded) keyed.sort(compare);
  const start = Math.min(query.offset, keyed.length);
  const end = query.limit === undefined ? keyed.length : Math.min(keyed.length, start + query.limit);
  const results: Document[] = new Array(end - start);
  for (let i = start; i < end; i++) results[i - start] = keyed[i].doc;
  return results;
}

/** Applies a projection: only the selected fields (and always the name and times). */
export function project(doc: Document, select: string[][] | undefined): Document {
  if (!select) return doc;
  const fields: Record<string, Value> = {};
  for (const segments of select) {
    if (segments.length === 1 && segments[0] === NAME) continue;
    const value = getField(doc.fields, segments);
    if (value === undefined) continue;
    let target = fields;
    for (let i = 0; i < segments.length - 1; i++) {
      const existing = target[segments[i]];
      if (!existing || !('mapValue' in existing)) target[segments[i]] = { mapValue: { fields: {} } };
      target = (target[segments[i]] as { mapValue: { fields: Record<string, Value> } }).mapValue.fields;
    }
    target[segments[segments.length - 1]] = value;
  }
  return { ...doc, fields };
}
