import type { RequestContext } from '../context.ts';
import { Code, invalidArgument, RpcError } from '../errors.ts';
import {
  comparePaths,
  databaseName,
  documentResourceName,
  parseDocumentName,
  parseResourceName,
} from '../paths.ts';
import { type CompiledQuery, compileQuery, project, runQuery, type StructuredQuery } from '../query.ts';
import type { DatabaseStore, ReadView } from '../store.ts';
import { currentMicros, microsToTimestamp, timestampToMicros } from '../time.ts';
import type { Transaction, TransactionManager } from '../transactions.ts';
import type { Document, Timestamp } from '../types.ts';
import type { AccessControl } from './access.ts';
import { aggregate } from './aggregations.ts';
import type { Databases } from './databases.ts';
import { maskDocument, pageStart, pageToken, relativePath } from './documents.ts';
import type { IndexPolicy } from './index-policy.ts';
import type { Emit, Request, Response } from './rpc.ts';

// The read room: GetDocument, ListDocuments, BatchGetDocuments, RunQuery, RunAggregationQuery,
// PartitionQuery and ListCollectionIds. Each resolves its consistency (transaction, new transaction, read
// time), reads, and asks the authorization room before answering.

export interface ExecutedQuery {
  results: Document[];
  compiled: CompiledQuery;
  txn: Transaction | null;
  newTransaction: Buffer | null;
  readTime: Timestamp;
  db: DatabaseStore;
}

export class Reads {
  constructor(
    private readonly databases: Databases,
    private readonly access: AccessControl,
    private readonly transactions: TransactionManager,
    private readonly indexes: IndexPolicy,
  ) {}

  /** Resolves the consistency selector of a read: transaction, new transaction, or read time. */
  private async readContext(
    db: DatabaseStore,
    request: Request,
  ): Promise<{ view: ReadView; txn: Transaction | null; newTransaction: Buffer | null }> {
    if (request.transaction) {
      const txn = this.transactions.get(request.transaction, db.name);
      return { view: txn.readOnly ? db.at(txn.readMicros!) : db, txn, newTransaction: null };
    }
    if (request.newTransaction) {
      const txn = this.transactions.beginFromOptions(db.name, request.newTransaction);
      return { view: txn.readOnly ? db.at(txn.readMicros!) : db, txn, newTransaction: txn.id };
    }
    if (request.readTime)
      return { view: db.at(timestampToMicros(request.readTime)), txn: null, newTransaction: null };
    return { view: db, txn: null, newTransaction: null };
  }

  /** Reads one document for a request, taking the transaction lock first when in a read-write transaction. */
  private async readDocument(db: DatabaseStore, view: ReadView, txn: Transaction | null, path: string) {
    if (txn && !txn.readOnly) {
      await this.transactions.lock(txn, path);
      this.transactions.recordRead(txn, path, db.version(path));
    }
    return view.get(path);
  }

  private readTimeOf(txn: Transaction | null, request: Request): Timestamp {
    if (txn?.readOnly) return microsToTimestamp(txn.readMicros!);
    if (request.readTime) return request.readTime;
    return microsToTimestamp(currentMicros());
  }

  async getDocument(request: Request, ctx: RequestContext): Promise<Response> {
    const parsed = parseDocumentName(request.name);
    const db = this.databases.get(parsed.projectId, parsed.databaseId);
    const { view, txn } = await this.readContext(db, request);
    const doc = await this.readDocument(db, view, txn, parsed.path);
    this.access.authorizeReads(
      ctx,
      db,
      [{ method: 'get', path: parsed.path, resource: doc, requestResource: null }],
      view,
    );
    if (!doc) throw new RpcError(Code.NOT_FOUND, `Document "${request.name}" not found.`);
    return maskDocument(doc, request.mask) as unknown as Response;
  }

  async listDocuments(request: Request, ctx: RequestContext): Promise<Response> {
    const parent = parseResourceName(request.parent);
    const db = this.databases.get(parent.projectId, parent.databaseId);
    const { view, txn } = await this.readContext(db, request);
    const collectionPath =
      parent.path === '' ? request.collectionId : `${parent.path}/${request.collectionId}`;
    if (!request.collectionId) throw invalidArgument('collection_id is required.');
    const paths = request.orderBy
      ? this.orderedPaths(db, view, parent.path, request)
      : db.documentPathsIn(collectionPath, Boolean(request.showMissing)).sort(comparePaths);
    const start = pageStart(request.pageToken);
    const size = request.pageSize && request.pageSize > 0 ? request.pageSize : paths.length;
    const page = paths.slice(start, start + size);
    // Rules judge a document listing as a query with no filters, limited to the page size.
    const shape = {
      collection: collectionPath,
      allDescendants: false,
      limit: request.pageSize > 0 ? request.pageSize : undefined,
      structuredQuery: {},
    };
    this.access.authorizeReads(
      ctx,
      db,
      [{ method: 'list', path: collectionPath, resource: null, requestResource: null, query: shape }],
      view,
    );
    const documents: Response[] = [];
    for (const path of page) {
      const doc = await this.readDocument(db, view, txn, path);
      if (doc) documents.push(maskDocument(doc, request.mask) as unknown as Response);
      else if (request.showMissing) documents.push({ name: documentResourceName(parent, path) });
    }
    // Empty repeated fields are left out, as production's JSON answers leave them out.
    const response: Response = documents.length > 0 ? { documents } : {};
    if (start + size < paths.length) response.nextPageToken = pageToken(start + size);
    return response;
  }

  /**
   * ListDocuments with order_by ("field [desc], …", as the REST API takes it): the collection ordered like a
   * query with those orders, so, as in a query, documents without an ordered field are left out.
   */
  private orderedPaths(db: DatabaseStore, view: ReadView, parentPath: string, request: Request): string[] {
    if (request.showMissing) throw invalidArgument('show_missing cannot be combined with order_by.');
    const orderBy = String(request.orderBy)
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [field, direction, extra] = part.split(/\s+/);
        const dir = direction?.toLowerCase();
        if (extra !== undefined || (dir !== undefined && dir !== 'asc' && dir !== 'desc'))
          throw invalidArgument(`Invalid order_by: ${request.orderBy}`);
        return {
          field: { fieldPath: field === 'name' ? '__name__' : field },
          direction: dir === 'desc' ? 'DESCENDING' : 'ASCENDING',
        };
      });
    const compiled = compileQuery(
      { from: [{ collectionId: request.collectionId }], orderBy },
      parentPath,
      `${db.name}/documents/`,
    );
    return runQuery(compiled, view).map((doc) => relativePath(doc.name));
  }

  async listCollectionIds(request: Request, ctx: RequestContext): Promise<Response> {
    const parent = parseResourceName(request.parent);
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Invalid parent: ${request.parent}`);
    const db = this.databases.get(parent.projectId, parent.databaseId);
    if (!ctx.admin) {
      // Listing collection ids is not a document read; the real service allows it only to privileged callers.
      throw new RpcError(Code.PERMISSION_DENIED, 'ListCollectionIds requires admin credentials.');
    }
    const ids = db.childCollectionIds(parent.path).sort();
    const start = pageStart(request.pageToken);
    const size = request.pageSize && request.pageSize > 0 ? request.pageSize : ids.length;
    const response: Response = { collectionIds: ids.slice(start, start + size) };
    if (start + size < ids.length) response.nextPageToken = pageToken(start + size);
    return response;
  }

  async batchGetDocuments(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const db = this.databases.forRequest(request.database, ctx);
    const { view, txn, newTransaction } = await this.readContext(db, request);
    const names: string[] = request.documents ?? [];
    const found: { name: string; path: string; doc: Document | null }[] = [];
    try {
      for (const name of names) {
        const parsed = parseDocumentName(name);
        if (databaseName(parsed) !== db.name) throw invalidArgument(`Document ${name} is not in ${db.name}.`);
        found.push({ name, path: parsed.path, doc: await this.readDocument(db, view, txn, parsed.path) });
      }
      const batchAccess = found.length > 1 ? new Set<string>() : undefined;
      this.access.authorizeReads(
        ctx,
        db,
        found.map(({ path, doc }) => ({
          method: 'get',
          path,
          resource: doc,
          requestResource: null,
          batchAccess,
        })),
        view,
      );
    } catch (error) {
      if (newTransaction && txn) this.transactions.finish(txn);
      throw error;
    }
    const readTime = this.readTimeOf(txn, request);
    if (newTransaction && found.length === 0) emit({ transaction: newTransaction, readTime });
    found.forEach(({ name, doc }, i) => {
      const response: Response = doc
        ? { found: maskDocument(doc, request.mask), readTime }
        : { missing: name, readTime };
      if (i === 0 && newTransaction) response.transaction = newTransaction;
      emit(response);
    });
  }

  async executeQuery(request: Request, ctx: RequestContext): Promise<ExecutedQuery> {
    const parent = parseResourceName(request.parent);
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Invalid parent: ${request.parent}`);
    const db = this.databases.get(parent.projectId, parent.databaseId);
    if (request.explainOptions)
      throw new RpcError(Code.UNIMPLEMENTED, 'Query explain is not supported by this emulator.');
    const structuredQuery: StructuredQuery =
      request.structuredQuery ?? request.structuredAggregationQuery?.structuredQuery;
    if (!structuredQuery) throw invalidArgument('A structured query is required.');
    const compiled = compileQuery(structuredQuery, parent.path, `${db.name}/documents/`);
    const { view, txn, newTransaction } = await this.readContext(db, request);
    try {
      // Rules first (a query the caller may not run is PERMISSION_DENIED whatever the indexes), then the index
      // the query needs, then the documents.
      this.access.authorizeQuery(ctx, db, compiled, structuredQuery, view);
      this.indexes.check(parent.projectId, structuredQuery, compiled);
      const results = runQuery(compiled, view);
      if (txn && !txn.readOnly) {
        for (const doc of results) await this.readDocument(db, view, txn, relativePath(doc.name));
      }
      return { results, compiled, txn, newTransaction, readTime: this.readTimeOf(txn, request), db };
    } catch (error) {
      if (newTransaction && txn) this.transactions.finish(txn);
      throw error;
    }
  }

  async runQuery(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const { results, compiled, newTransaction, readTime } = await this.executeQuery(request, ctx);
    if (results.length === 0) {
      const response: Response = { readTime };
      if (newTransaction) response.transaction = newTransaction;
      emit(response);
      return;
    }
    results.forEach((doc, i) => {
      const response: Response = { document: project(doc, compiled.select), readTime };
      if (i === 0 && newTransaction) response.transaction = newTransaction;
      emit(response);
    });
  }

  async runAggregationQuery(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const aggregations: Request[] = request.structuredAggregationQuery?.aggregations ?? [];
    // Checked before the query runs, so a malformed request never starts a transaction.
    aggregate(aggregations, []);
    const { results, newTransaction, readTime } = await this.executeQuery(request, ctx);
    const response: Response = { result: { aggregateFields: aggregate(aggregations, results) }, readTime };
    if (newTransaction) response.transaction = newTransaction;
    emit(response);
  }

  /** No split points: the whole query is one partition, which the SDKs accept (and is valid for any data size). */
  async partitionQuery(request: Request, _ctx: RequestContext): Promise<Response> {
    const parent = parseResourceName(request.parent);
    const db = this.databases.get(parent.projectId, parent.databaseId);
    if (!request.structuredQuery) throw invalidArgument('A structured query is required.');
    compileQuery(request.structuredQuery, parent.path, `${db.name}/documents/`);
    return { partitions: [] };
  }
}
