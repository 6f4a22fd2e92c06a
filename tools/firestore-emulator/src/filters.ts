import type { Value } from './types.ts';

// A query's where clause as a disjunction of conjunctions (disjunctive normal form), the way Firestore plans
// OR queries: security rules judge each disjunct (rules/query-constraints.ts) and each disjunct needs its own
// index (indexes.ts).

export interface FieldFilter {
  field?: { fieldPath?: string };
  op?: string;
  value?: Value;
}
export interface UnaryFilter {
  field?: { fieldPath?: string };
  op?: string;
}
export interface WhereFilter {
  fieldFilter?: FieldFilter;
  unaryFilter?: UnaryFilter;
  compositeFilter?: { op?: string; filters?: WhereFilter[] };
}
export type LeafFilter = Omit<WhereFilter, 'compositeFilter'>;

/** Firestore's limit on the disjunctive normal form of one query. */
export const MAX_DISJUNCTS = 30;

/** The disjuncts of a where clause (one empty conjunction when there is none); null over MAX_DISJUNCTS. */
export function disjuncts(where: WhereFilter | undefined): LeafFilter[][] | null {
  if (!where) return [[]];
  const visit = (filter: WhereFilter): LeafFilter[][] | null => {
    const composite = filter.compositeFilter;
    if (!composite) return [[filter]];
    const parts: LeafFilter[][][] = [];
    for (const sub of composite.filters ?? []) {
      const part = visit(sub);
      if (!part) return null;
      parts.push(part);
    }
    if (composite.op === 'OR') {
      const out = parts.flat();
      return out.length > MAX_DISJUNCTS ? null : out;
    }
    let out: LeafFilter[][] = [[]];
    for (const part of parts) {
      const next: LeafFilter[][] = [];
      for (const left of out) for (const right of part) next.push([...left, ...right]);
      if (next.length > MAX_DISJUNCTS) return null;
      out = next;
    }
    return out;
  };
  return visit(where);
}
