import { z } from 'zod';
import { Code, RpcError } from './errors.ts';
import { canonicalFieldPath } from './fieldPaths.ts';
import { disjuncts, type WhereFilter } from './filters.ts';
import type { StructuredQuery } from './query.ts';

// Index enforcement (strict mode): a query that production could only serve from a composite index missing
// from firestore.indexes.json fails with FAILED_PRECONDITION, naming the index to add. Production's planner,
// as far as it decides success or failure:
// - equality-like filters (==, in, array-contains(-any), is null/NaN) on several fields merge single-field
//   indexes, so need no composite index;
// - one order (an orderBy, or the implicit order of an inequality filter) with no equality filter uses that
//   field's single-field index;
// - anything else (equality + order, several orders or inequality fields) needs a composite index whose fields
//   are the equality fields (any order) followed by the orders (directions as asked, or all reversed);
// - single-field indexes exist for every field of a collection unless fieldOverrides exempt them, and for
//   collection-group queries only where fieldOverrides enable them with queryScope COLLECTION_GROUP;
// - an OR query needs an index for each of its disjuncts.

const orderSchema = z.enum(['ASCENDING', 'DESCENDING']);
const indexFieldSchema = z
  .object({
    fieldPath: z.string().min(1),
    order: orderSchema.optional(),
    arrayConfig: z.literal('CONTAINS').optional(),
  })
  .refine(
    (f) => (f.order === undefined) !== (f.arrayConfig === undefined),
    'each field needs order or arrayConfig',
  );
const scopeSchema = z.enum(['COLLECTION', 'COLLECTION_GROUP']).default('COLLECTION');

export const indexesFileSchema = z.object({
  indexes: z
    .array(
      z.object({
        collectionGroup: z.string().min(1),
        queryScope: scopeSchema,
        fields: z.array(indexFieldSchema).min(1),
      }),
    )
    .default([]),
  fieldOverrides: z
    .array(
      z.object({
        collectionGroup: z.string().min(1),
        fieldPath: z.string().min(1),
        ttl: z.boolean().optional(),
        indexes: z
          .array(
            z
              .object({
                order: orderSchema.optional(),
                arrayConfig: z.literal('CONTAINS').optional(),
                queryScope: scopeSchema,
              })
              .refine(
                (f) => (f.order === undefined) !== (f.arrayConfig === undefined),
                'each index needs order or arrayConfig',
              ),
          )
          .optional(),
      }),
    )
    .default([]),
});

export type IndexesFile = z.output<typeof indexesFileSchema>;
type Scope = 'COLLECTION' | 'COLLECTION_GROUP';
/** How one field is used: ASCENDING / DESCENDING order, or CONTAINS for array membership. */
type Mode = 'ASCENDING' | 'DESCENDING' | 'CONTAINS';

interface Requirement {
  /** Equality-like fields → mode (order fields of an equality may be either direction: 'ASCENDING' stands for both). */
  equalities: Map<string, Mode>;
  orders: { field: string; mode: 'ASCENDING' | 'DESCENDING' }[];
}

export function parseIndexesFile(json: unknown): IndexesFile {
  const parsed = indexesFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `Invalid firestore.indexes.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export class IndexChecker {
  constructor(private readonly definitions: IndexesFile) {}

  /** Throws FAILED_PRECONDITION when the query needs an index the definitions do not provide. */
  check(structuredQuery: StructuredQuery, collectionId: string, allDescendants: boolean): void {
    const scope: Scope = allDescendants ? 'COLLECTION_GROUP' : 'COLLECTION';
    for (const requirement of requirements(structuredQuery)) {
      const missing = this.missingIndex(requirement, collectionId, scope);
      if (missing) throw new RpcError(Code.FAILED_PRECONDITION, missing);
    }
  }

  private missingIndex(req: Requirement, collectionId: string, scope: Scope): string | null {
    const fields = req.equalities.size + req.orders.length;
    if (fields === 0) return null;
    if (req.orders.length === 0 || (req.equalities.size === 0 && req.orders.length === 1)) {
      const needed: [string, Mode][] =
        req.orders.length === 0 ? [...req.equalities] : [[req.orders[0].field, req.orders[0].mode]];
      const lacking = needed.filter(([field, mode]) => !this.singleField(collectionId, field, mode, scope));
      if (lacking.length === 0) return null;
      if (this.composite(req, collectionId, scope)) return null;
      const [field, mode] = lacking[0];
      const override = {
        collectionGroup: collectionId,
        fieldPath: field,
        indexes: [
          mode === 'CONTAINS'
            ? { arrayConfig: 'CONTAINS', queryScope: scope }
            : { order: mode, queryScope: scope },
        ],
      };
      const why =
        scope === 'COLLECTION_GROUP'
          ? `a collection-group query needs a single-field index with COLLECTION_GROUP scope on ${field}`
          : `the single-field index on ${field} is exempted`;
      return `The query requires an index: ${why}. Add it to "fieldOverrides" in firestore.indexes.json: ${JSON.stringify(override)}`;
    }
    if (this.composite(req, collectionId, scope)) return null;
    const index = {
      collectionGroup: collectionId,
      queryScope: scope,
      fields: [
        ...[...req.equalities].map(([fieldPath, mode]) =>
          mode === 'CONTAINS' ? { fieldPath, arrayConfig: 'CONTAINS' } : { fieldPath, order: 'ASCENDING' },
        ),
        ...req.orders.map((o) => ({ fieldPath: o.field, order: o.mode })),
      ],
    };
    return `The query requires an index. Add this composite index to "indexes" in firestore.indexes.json (production answers with a link that creates it): ${JSON.stringify(index)}`;
  }

  private singleField(collectionId: string, field: string, mode: Mode, scope: Scope): boolean {
    const override = this.definitions.fieldOverrides.find(
      (o) => o.collectionGroup === collectionId && sameField(o.fieldPath, field),
    );
    if (!override?.indexes) return scope === 'COLLECTION';
    return override.indexes.some(
      (i) =>
        (scope === 'COLLECTION' || i.queryScope === 'COLLECTION_GROUP') &&
        (mode === 'CONTAINS' ? i.arrayConfig === 'CONTAINS' : i.order !== undefined),
    );
  }

  private composite(req: Requirement, collectionId: string, scope: Scope): boolean {
    return this.definitions.indexes.some((index) => {
      if (index.collectionGroup !== collectionId) return false;
      // A collection-group index also serves queries on one collection of that id.
      if (scope === 'COLLECTION_GROUP' && index.queryScope !== 'COLLECTION_GROUP') return false;
      const fields = index.fields.filter((f) => !sameField(f.fieldPath, '__name__'));
      if (fields.length !== req.equalities.size + req.orders.length) return false;
      const head = fields.slice(0, req.equalities.size);
      const equalitiesCovered = head.every((f) => {
        const mode = [...req.equalities].find(([field]) => sameField(field, f.fieldPath))?.[1];
        if (mode === undefined) return false;
        return mode === 'CONTAINS' ? f.arrayConfig === 'CONTAINS' : f.order !== undefined;
      });
      if (!equalitiesCovered) return false;
      const tail = fields.slice(req.equalities.size);
      const forward = req.orders.every(
        (o, i) => sameField(tail[i].fieldPath, o.field) && tail[i].order === o.mode,
      );
      const reversed = req.orders.every(
        (o, i) =>
          sameField(tail[i].fieldPath, o.field) && tail[i].order !== undefined && tail[i].order !== o.mode,
      );
      return forward || reversed;
    });
  }
}

const EQUALITY_OPS = new Set(['EQUAL', 'IN']);
const CONTAINS_OPS = new Set(['ARRAY_CONTAINS', 'ARRAY_CONTAINS_ANY']);
const INEQUALITY_OPS = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
]);

/** What each disjunct of the query asks of the indexes. */
function requirements(query: StructuredQuery): Requirement[] {
  const all = disjuncts(query.where as WhereFilter | undefined) ?? [];
  return all.map((leaves) => {
    const equalities = new Map<string, Mode>();
    const inequalities = new Set<string>();
    for (const leaf of leaves) {
      const path = leaf.fieldFilter?.field?.fieldPath ?? leaf.unaryFilter?.field?.fieldPath;
      if (!path) continue;
      const field = canonical(path);
      if (field === '__name__') continue;
      const op = leaf.fieldFilter?.op ?? leaf.unaryFilter?.op ?? '';
      if (EQUALITY_OPS.has(op) || op === 'IS_NULL' || op === 'IS_NAN') {
        if (!equalities.has(field)) equalities.set(field, 'ASCENDING');
      } else if (CONTAINS_OPS.has(op)) equalities.set(field, 'CONTAINS');
      else if (INEQUALITY_OPS.has(op) || op === 'IS_NOT_NULL' || op === 'IS_NOT_NAN') inequalities.add(field);
    }
    const orders: Requirement['orders'] = [];
    let lastDirection: 'ASCENDING' | 'DESCENDING' = 'ASCENDING';
    for (const order of query.orderBy ?? []) {
      const field = canonical(order.field.fieldPath);
      lastDirection = order.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING';
      if (field === '__name__' || equalities.get(field) === 'ASCENDING') continue;
      if (!orders.some((o) => o.field === field)) orders.push({ field, mode: lastDirection });
    }
    // Inequality fields not ordered explicitly are ordered implicitly, by field path, after the explicit orders.
    for (const field of [...inequalities].sort()) {
      if (!orders.some((o) => o.field === field)) orders.push({ field, mode: lastDirection });
    }
    return { equalities, orders };
  });
}

function canonical(fieldPath: string): string {
  return canonicalFieldPath(fieldPath);
}

function sameField(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}
