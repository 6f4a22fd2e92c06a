import { IndexChecker, parseIndexesFile } from '../indexes.ts';
import type { CompiledQuery, StructuredQuery } from '../query.ts';

// Strict index mode for the service: off, every query runs (as in Google's emulator); on, each query is
// checked against the index definitions of its project (or the default ones) before it runs.

export class IndexPolicy {
  private readonly checkers = new Map<string | null, IndexChecker>();

  constructor(readonly strict: boolean) {}

  /** Installs firestore.indexes.json content for a project (null: the default for every project). */
  set(projectId: string | null, definitions: unknown): void {
    this.checkers.set(projectId, new IndexChecker(parseIndexesFile(definitions)));
  }

  check(projectId: string, structuredQuery: StructuredQuery, query: CompiledQuery): void {
    if (!this.strict) return;
    const checker = this.checkers.get(projectId) ?? this.checkers.get(null) ?? EMPTY;
    checker.check(structuredQuery, query.collectionId, query.allDescendants);
  }
}

const EMPTY = new IndexChecker(parseIndexesFile({}));
