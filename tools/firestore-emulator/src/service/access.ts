import {
  type AccessMethod,
  type AccessRequest,
  type Authorizer,
  allowAll,
  type QueryShape,
} from '../authorizer.ts';
import type { RequestContext } from '../context.ts';
import { Code, RpcError } from '../errors.ts';
import { parseDatabaseName } from '../paths.ts';
import type { CompiledQuery, StructuredQuery } from '../query.ts';
import { createRulesAuthorizer } from '../rules/index.ts';
import type { DatabaseStore, ReadView } from '../store.ts';
import { currentMicros, microsToTimestamp } from '../time.ts';
import type { Document, Timestamp } from '../types.ts';

// The authorization room: one Authorizer per project (security rules, or allow-all until rules are loaded),
// asked once per document access of a non-admin request. Reads, queries and writes come here; a denial is
// PERMISSION_DENIED with the authorizer's message.

export type ReadRequest = Omit<AccessRequest, 'database' | 'auth' | 'time' | 'readBefore' | 'readAfter'>;

/** One write of a commit, as the authorizer sees it: the stored document and the one the write leaves. */
export interface WriteAccess {
  method: Extract<AccessMethod, 'create' | 'update' | 'delete'>;
  path: string;
  before: Document | null;
  after: Document | null;
}

/** A refused request, kept for the data browser: which rule refused it and why (never the data). */
export interface Denial {
  at: string;
  projectId: string;
  method: string;
  uid: string | null;
  message: string;
}

const KEPT_DENIALS = 50;

export class AccessControl {
  private readonly authorizers = new Map<string, Authorizer>();
  /** The most recent denials, newest last. */
  readonly recentDenials: Denial[] = [];

  private deny(ctx: RequestContext, db: DatabaseStore, method: string, message: string): RpcError {
    this.recentDenials.push({
      at: new Date().toISOString(),
      projectId: parseDatabaseName(db.name).projectId,
      method,
      uid: ctx.auth?.uid ?? null,
      message,
    });
    if (this.recentDenials.length > KEPT_DENIALS) this.recentDenials.shift();
    return new RpcError(Code.PERMISSION_DENIED, message);
  }

  /** Compiles and installs rules for a project; throws (keeping the previous rules) on a syntax error. */
  setRules(projectId: string, source: string): void {
    this.authorizers.set(projectId, createRulesAuthorizer(source));
  }

  setAuthorizer(projectId: string, authorizer: Authorizer): void {
    this.authorizers.set(projectId, authorizer);
  }

  authorizerFor(projectId: string): Authorizer {
    return this.authorizers.get(projectId) ?? allowAll;
  }

  authorizeReads(
    ctx: RequestContext,
    db: DatabaseStore,
    requests: ReadRequest[],
    readView: ReadView = db,
  ): void {
    if (ctx.admin) return;
    const authorizer = this.authorizerFor(parseDatabaseName(db.name).projectId);
    if (authorizer === allowAll) return;
    const time = microsToTimestamp(currentMicros());
    const read = (path: string) => readView.get(path);
    for (const request of requests) {
      const decision = authorizer.authorize({
        ...request,
        database: db.name,
        auth: ctx.auth,
        time,
        readBefore: read,
        readAfter: read,
      });
      if (!decision.allowed) throw this.deny(ctx, db, request.method, decision.message);
    }
  }

  /**
   * Authorizes every write of one commit: `readAfter` sees the whole batch applied, and a batch or transaction
   * shares one document-read budget across its writes.
   */
  authorizeWrites(
    ctx: RequestContext,
    db: DatabaseStore,
    writes: WriteAccess[],
    commitTime: Timestamp,
    readAfter: (path: string) => Document | null,
    inTransaction: boolean,
  ): void {
    if (ctx.admin) return;
    const authorizer = this.authorizerFor(parseDatabaseName(db.name).projectId);
    if (authorizer === allowAll) return;
    const batchAccess = writes.length > 1 || inTransaction ? new Set<string>() : undefined;
    for (const write of writes) {
      const decision = authorizer.authorize({
        method: write.method,
        database: db.name,
        path: write.path,
        auth: ctx.auth,
        resource: write.before,
        requestResource: write.after,
        time: commitTime,
        readBefore: (path) => db.get(path),
        readAfter,
        batchAccess,
      });
      if (!decision.allowed) throw this.deny(ctx, db, write.method, decision.message);
    }
  }

  queryShape(query: CompiledQuery, structuredQuery: StructuredQuery): QueryShape {
    const collection = query.allDescendants
      ? query.collectionId
      : query.parent === ''
        ? query.collectionId
        : `${query.parent}/${query.collectionId}`;
    return {
      collection,
      allDescendants: query.allDescendants,
      limit: query.limit,
      offset: query.offset || undefined,
      structuredQuery,
    };
  }

  /**
   * Authorizes a query from its constraints alone ("rules are not filters"): one decision for the whole query,
   * whatever documents it returns, so a query that could return a document the caller may not read is refused
   * even when none such exists today.
   */
  authorizeQuery(
    ctx: RequestContext,
    db: DatabaseStore,
    query: CompiledQuery,
    structuredQuery: StructuredQuery,
    view: ReadView = db,
  ): void {
    if (ctx.admin) return;
    const shape = this.queryShape(query, structuredQuery);
    this.authorizeReads(
      ctx,
      db,
      [{ method: 'list', path: shape.collection, resource: null, requestResource: null, query: shape }],
      view,
    );
  }
}
