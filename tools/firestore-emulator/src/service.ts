import { randomBytes } from 'node:crypto';
import { type AccessRequest, type Authorizer, allowAll, type QueryShape } from './authorizer.ts';
import type { RequestContext } from './context.ts';
import { Code, invalidArgument, RpcError, toRpcError } from './errors.ts';
import { getField, parseFieldPath } from './fieldPaths.ts';
import { ListenStream } from './listen.ts';
import {
  comparePaths,
  databaseName,
  documentResourceName,
  parseDatabaseName,
  parseDocumentName,
  parseResourceName,
} from './paths.ts';
import { type CompiledQuery, compileQuery, project, runQuery, type StructuredQuery } from './query.ts';
import { createRulesAuthorizer } from './rules/index.ts';
import { DatabaseStore, type DocumentChange, type ReadView } from './store.ts';
import { currentMicros, microsToTimestamp, nextCommitMicros, timestampToMicros } from './time.ts';
import { type Transaction, TransactionManager } from './transactions.ts';
import type { Document, Timestamp, Value } from './types.ts';
import { isNumber } from './values.ts';
import { applyWrite, type WriteRequest, writeTarget } from './writes.ts';

// The google.firestore.v1.Firestore service, independent of any transport: requests and responses are plain
// objects in the protobufjs object form (types.ts). gRPC (grpc.ts) and WebChannel (webchannel/) adapt to it.
//   unary:            method(request, ctx) → Promise<response>
//   server streaming: method(request, ctx, emit) → Promise<void>
//   bidi:             listen/write(ctx, send, end) → { push(request), close() }

export type Emit = (response: Record<string, unknown>) => void;
// biome-ignore lint/suspicious/noExplicitAny: decoded protobufjs messages are untyped plain objects; each RPC reads the fields it needs
export type Request = Record<string, any>;

export interface BidiStream {
  push(request: Request): void;
  /** The caller cancelled or went away: stop at once. */
  close(): void;
  /** The caller half-closed: finish what was sent, then resolve. */
  drain?(): Promise<void>;
}

export interface ServiceOptions {
  /** Idle time after which an abandoned transaction expires (ms). */
  transactionTimeoutMs?: number;
  /** How long overwritten versions are kept for reads at a past read_time (ms). */
  historyRetentionMs?: number;
}

export const unaryMethods = {
  GetDocument: 'getDocument',
  ListDocuments: 'listDocuments',
  CreateDocument: 'createDocument',
  UpdateDocument: 'updateDocument',
  DeleteDocument: 'deleteDocument',
  BeginTransaction: 'beginTransaction',
  Commit: 'commit',
  Rollback: 'rollback',
  ListCollectionIds: 'listCollectionIds',
  BatchWrite: 'batchWrite',
  PartitionQuery: 'partitionQuery',
} as const;

export const serverStreamingMethods = {
  BatchGetDocuments: 'batchGetDocuments',
  RunQuery: 'runQuery',
  RunAggregationQuery: 'runAggregationQuery',
} as const;

export const bidiMethods = { Listen: 'listen', Write: 'write' } as const;

type ReadRequest = Omit<AccessRequest, 'database' | 'auth' | 'time' | 'readBefore' | 'readAfter'>;

export class FirestoreService {
  private readonly databases = new Map<string, DatabaseStore>();
  private readonly authorizers = new Map<string, Authorizer>();
  readonly transactions: TransactionManager;
  private readonly historyRetentionMicros: bigint;

  constructor(options: ServiceOptions = {}) {
    this.transactions = new TransactionManager(options.transactionTimeoutMs ?? 60_000);
    this.historyRetentionMicros = BigInt(options.historyRetentionMs ?? 60_000) * 1000n;
  }

  close(): void {
    this.transactions.close();
  }

  // ---- Emulator administration -------------------------------------------------------------------------

  database(projectId: string, databaseId = '(default)'): DatabaseStore {
    const name = databaseName({ projectId, databaseId });
    let db = this.databases.get(name);
    if (!db) {
      db = new DatabaseStore(name, this.historyRetentionMicros);
      this.databases.set(name, db);
    }
    return db;
  }

  allDatabases(): DatabaseStore[] {
    return [...this.databases.values()];
  }

  clearDatabase(projectId: string, databaseId = '(default)'): void {
    this.database(projectId, databaseId).clear(nextCommitMicros());
  }

  /** Compiles and installs rules for a project; throws (keeping the previous rules) on a syntax error. */
  setRules(projectId: string, source: string): void {
    const authorizer = createRulesAuthorizer(source);
    this.authorizers.set(projectId, authorizer);
  }

  setAuthorizer(projectId: string, authorizer: Authorizer): void {
    this.authorizers.set(projectId, authorizer);
  }

  authorizerFor(projectId: string): Authorizer {
    return this.authorizers.get(projectId) ?? allowAll;
  }

  // ---- Authorization -----------------------------------------------------------------------------------

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
      if (!decision.allowed) throw new RpcError(Code.PERMISSION_DENIED, decision.message);
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

  private authorizeQueryResults(
    ctx: RequestContext,
    db: DatabaseStore,
    query: CompiledQuery,
    structuredQuery: StructuredQuery,
    results: Document[],
    view: ReadView,
  ): void {
    if (ctx.admin) return;
    const shape = this.queryShape(query, structuredQuery);
    const requests: ReadRequest[] =
      results.length > 0
        ? results.map((doc) => ({
            method: 'list',
            path: relativePath(doc.name),
            resource: doc,
            requestResource: null,
            query: shape,
          }))
        : [{ method: 'list', path: shape.collection, resource: null, requestResource: null, query: shape }];
    this.authorizeReads(ctx, db, requests, view);
  }

  private dbForDatabase(name: string | undefined, ctx: RequestContext): DatabaseStore {
    if (!name) return this.database(ctx.projectId, ctx.databaseId);
    const parsed = parseDatabaseName(name);
    return this.database(parsed.projectId, parsed.databaseId);
  }

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
      const txn = this.beginFromOptions(db, request.newTransaction);
      return { view: txn.readOnly ? db.at(txn.readMicros!) : db, txn, newTransaction: txn.id };
    }
    if (request.readTime)
      return { view: db.at(timestampToMicros(request.readTime)), txn: null, newTransaction: null };
    return { view: db, txn: null, newTransaction: null };
  }

  private beginFromOptions(db: DatabaseStore, options: Request | undefined): Transaction {
    if (options?.readOnly) {
      const readMicros = options.readOnly.readTime
        ? timestampToMicros(options.readOnly.readTime)
        : currentMicros();
      return this.transactions.begin(db.name, true, readMicros);
    }
    return this.transactions.begin(db.name, false, null, options?.readWrite?.retryTransaction);
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

  // ---- Writes ------------------------------------------------------------------------------------------

  /** Applies writes atomically (all or nothing) as one commit; authorizes them for non-admin callers. */
  async commitWrites(
    db: DatabaseStore,
    writes: WriteRequest[],
    ctx: RequestContext,
    txn: Transaction | null = null,
  ): Promise<{ writeResults: Record<string, unknown>[]; commitTime: Timestamp }> {
    const paths = writes.map((write) => writeTarget(write).path);
    if (txn) {
      for (const path of paths) await this.transactions.lock(txn, path);
      for (const [path, version] of txn.readVersions) {
        if (db.version(path) !== version) {
          throw new RpcError(
            Code.ABORTED,
            `Transaction aborted: ${path} was modified after the transaction read it.`,
          );
        }
      }
    }
    const { projectId, databaseId } = parseDatabaseName(db.name);
    const micros = nextCommitMicros();
    const commitTime = microsToTimestamp(micros);
    const overlay = new Map<string, Document | null>();
    const current = (path: string) => (overlay.has(path) ? overlay.get(path)! : db.get(path));
    const outcomes = writes.map((write, i) => {
      const before = current(paths[i]);
      const outcome = applyWrite(write, before, commitTime, { projectId, databaseId });
      overlay.set(outcome.path, outcome.after);
      return { outcome, before, write };
    });
    if (!ctx.admin) {
      const authorizer = this.authorizerFor(projectId);
      if (authorizer !== allowAll) {
        const batchAccess = outcomes.length > 1 || txn ? new Set<string>() : undefined;
        for (const { outcome, before, write } of outcomes) {
          const method = write.delete !== undefined ? 'delete' : before ? 'update' : 'create';
          const decision = authorizer.authorize({
            method,
            database: db.name,
            path: outcome.path,
            auth: ctx.auth,
            resource: before,
            requestResource: outcome.after,
            time: commitTime,
            readBefore: (path) => db.get(path),
            readAfter: (path) => current(path),
            batchAccess,
          });
          if (!decision.allowed) throw new RpcError(Code.PERMISSION_DENIED, decision.message);
        }
      }
    }
    const changes: DocumentChange[] = [];
    for (const [path, after] of overlay) {
      const before = db.get(path);
      if (before === after || (!before && !after)) continue;
      changes.push({ path, before, after });
    }
    db.apply(changes, micros);
    if (txn) this.transactions.finish(txn);
    const writeResults = outcomes.map(({ outcome }) => {
      const result: Record<string, unknown> = {};
      if (outcome.updateTime) result.updateTime = outcome.updateTime;
      if (outcome.transformResults) result.transformResults = outcome.transformResults;
      return result;
    });
    return { writeResults, commitTime };
  }

  // ---- Unary RPCs --------------------------------------------------------------------------------------

  async getDocument(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parsed = parseDocumentName(request.name);
    const db = this.database(parsed.projectId, parsed.databaseId);
    const { view, txn } = await this.readContext(db, request);
    const doc = await this.readDocument(db, view, txn, parsed.path);
    this.authorizeReads(
      ctx,
      db,
      [{ method: 'get', path: parsed.path, resource: doc, requestResource: null }],
      view,
    );
    if (!doc) throw new RpcError(Code.NOT_FOUND, `Document "${request.name}" not found.`);
    return maskDocument(doc, request.mask) as unknown as Record<string, unknown>;
  }

  async listDocuments(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parent = parseResourceName(request.parent);
    const db = this.database(parent.projectId, parent.databaseId);
    const { view, txn } = await this.readContext(db, request);
    const collectionPath =
      parent.path === '' ? request.collectionId : `${parent.path}/${request.collectionId}`;
    if (!request.collectionId) throw invalidArgument('collection_id is required.');
    const paths = db.documentPathsIn(collectionPath, Boolean(request.showMissing)).sort(comparePaths);
    let start = 0;
    if (request.pageToken)
      start = Number.parseInt(Buffer.from(request.pageToken, 'base64').toString('utf8'), 10) || 0;
    const size = request.pageSize && request.pageSize > 0 ? request.pageSize : paths.length;
    const page = paths.slice(start, start + size);
    const documents: Record<string, unknown>[] = [];
    const access: ReadRequest[] = [];
    for (const path of page) {
      const doc = await this.readDocument(db, view, txn, path);
      if (doc) {
        access.push({ method: 'list', path, resource: doc, requestResource: null });
        documents.push(maskDocument(doc, request.mask) as unknown as Record<string, unknown>);
      } else if (request.showMissing) {
        documents.push({ name: documentResourceName(parent, path) });
      }
    }
    if (access.length === 0)
      access.push({ method: 'list', path: collectionPath, resource: null, requestResource: null });
    this.authorizeReads(ctx, db, access, view);
    const response: Record<string, unknown> = { documents };
    if (start + size < paths.length)
      response.nextPageToken = Buffer.from(String(start + size)).toString('base64');
    return response;
  }

  async createDocument(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parent = parseResourceName(request.parent);
    const id = request.documentId || randomId();
    const path =
      parent.path === '' ? `${request.collectionId}/${id}` : `${parent.path}/${request.collectionId}/${id}`;
    const db = this.database(parent.projectId, parent.databaseId);
    const name = documentResourceName(parent, path);
    await this.commitWrites(
      db,
      [{ update: { name, fields: request.document?.fields ?? {} }, currentDocument: { exists: false } }],
      ctx,
    );
    return maskDocument(db.get(path)!, request.mask) as unknown as Record<string, unknown>;
  }

  async updateDocument(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parsed = parseDocumentName(request.document?.name ?? '');
    const db = this.database(parsed.projectId, parsed.databaseId);
    await this.commitWrites(
      db,
      [
        {
          update: { name: request.document.name, fields: request.document.fields ?? {} },
          updateMask: request.updateMask,
          currentDocument: request.currentDocument,
        },
      ],
      ctx,
    );
    return maskDocument(db.get(parsed.path)!, request.mask) as unknown as Record<string, unknown>;
  }

  async deleteDocument(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parsed = parseDocumentName(request.name);
    const db = this.database(parsed.projectId, parsed.databaseId);
    await this.commitWrites(db, [{ delete: request.name, currentDocument: request.currentDocument }], ctx);
    return {};
  }

  async beginTransaction(request: Request, _ctx: RequestContext): Promise<Record<string, unknown>> {
    const db = this.dbForDatabase(request.database, _ctx);
    const txn = this.beginFromOptions(db, request.options);
    return { transaction: txn.id };
  }

  async commit(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const db = this.dbForDatabase(request.database, ctx);
    const writes: WriteRequest[] = request.writes ?? [];
    let txn: Transaction | null = null;
    if (request.transaction) {
      txn = this.transactions.get(request.transaction, db.name);
      if (txn.readOnly) {
        if (writes.length > 0) {
          this.transactions.finish(txn);
          throw invalidArgument('Cannot commit writes in a read-only transaction.');
        }
      }
    }
    try {
      const { writeResults, commitTime } = await this.commitWrites(db, writes, ctx, txn);
      return { writeResults, commitTime };
    } catch (error) {
      // A failed commit ends the transaction, as on the real service.
      if (txn) this.transactions.finish(txn);
      throw error;
    }
  }

  async rollback(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const db = this.dbForDatabase(request.database, ctx);
    try {
      const txn = this.transactions.get(request.transaction, db.name);
      this.transactions.finish(txn);
    } catch (error) {
      // Rolling back an aborted transaction is fine; an unknown one is an error.
      if (!(error instanceof RpcError) || error.code !== Code.ABORTED) throw error;
    }
    return {};
  }

  async listCollectionIds(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parent = parseResourceName(request.parent);
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Invalid parent: ${request.parent}`);
    const db = this.database(parent.projectId, parent.databaseId);
    if (!ctx.admin) {
      // Listing collection ids is not a document read; the real service allows it only to privileged callers.
      throw new RpcError(Code.PERMISSION_DENIED, 'ListCollectionIds requires admin credentials.');
    }
    const ids = db.childCollectionIds(parent.path).sort();
    let start = 0;
    if (request.pageToken)
      start = Number.parseInt(Buffer.from(request.pageToken, 'base64').toString('utf8'), 10) || 0;
    const size = request.pageSize && request.pageSize > 0 ? request.pageSize : ids.length;
    const response: Record<string, unknown> = { collectionIds: ids.slice(start, start + size) };
    if (start + size < ids.length)
      response.nextPageToken = Buffer.from(String(start + size)).toString('base64');
    return response;
  }

  async batchWrite(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const db = this.dbForDatabase(request.database, ctx);
    const writeResults: Record<string, unknown>[] = [];
    const status: Record<string, unknown>[] = [];
    for (const write of (request.writes ?? []) as WriteRequest[]) {
      try {
        const { writeResults: results } = await this.commitWrites(db, [write], ctx);
        writeResults.push(results[0]);
        status.push({ code: Code.OK });
      } catch (error) {
        const rpc = toRpcError(error);
        writeResults.push({});
        status.push({ code: rpc.code, message: rpc.message });
      }
    }
    return { writeResults, status };
  }

  // ---- Server-streaming RPCs ---------------------------------------------------------------------------

  async batchGetDocuments(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const db = this.dbForDatabase(request.database, ctx);
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
      this.authorizeReads(
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
      const response: Record<string, unknown> = doc
        ? { found: maskDocument(doc, request.mask), readTime }
        : { missing: name, readTime };
      if (i === 0 && newTransaction) response.transaction = newTransaction;
      emit(response);
    });
  }

  private async executeQuery(
    request: Request,
    ctx: RequestContext,
  ): Promise<{
    results: Document[];
    compiled: CompiledQuery;
    txn: Transaction | null;
    newTransaction: Buffer | null;
    readTime: Timestamp;
    db: DatabaseStore;
  }> {
    const parent = parseResourceName(request.parent);
    if (parent.segments.length % 2 !== 0) throw invalidArgument(`Invalid parent: ${request.parent}`);
    const db = this.database(parent.projectId, parent.databaseId);
    if (request.explainOptions)
      throw new RpcError(Code.UNIMPLEMENTED, 'Query explain is not supported by this emulator.');
    const structuredQuery: StructuredQuery =
      request.structuredQuery ?? request.structuredAggregationQuery?.structuredQuery;
    if (!structuredQuery) throw invalidArgument('A structured query is required.');
    const compiled = compileQuery(structuredQuery, parent.path, `${db.name}/documents/`);
    const { view, txn, newTransaction } = await this.readContext(db, request);
    try {
      const results = runQuery(compiled, view);
      if (txn && !txn.readOnly) {
        for (const doc of results) await this.readDocument(db, view, txn, relativePath(doc.name));
      }
      this.authorizeQueryResults(ctx, db, compiled, structuredQuery, results, view);
      return { results, compiled, txn, newTransaction, readTime: this.readTimeOf(txn, request), db };
    } catch (error) {
      if (newTransaction && txn) this.transactions.finish(txn);
      throw error;
    }
  }

  async runQuery(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const { results, compiled, newTransaction, readTime } = await this.executeQuery(request, ctx);
    const skippedResults = compiled.offset > 0 ? undefined : undefined;
    if (results.length === 0) {
      const response: Record<string, unknown> = { readTime };
      if (newTransaction) response.transaction = newTransaction;
      if (skippedResults) response.skippedResults = skippedResults;
      emit(response);
      return;
    }
    results.forEach((doc, i) => {
      const response: Record<string, unknown> = { document: project(doc, compiled.select), readTime };
      if (i === 0 && newTransaction) response.transaction = newTransaction;
      emit(response);
    });
  }

  async runAggregationQuery(request: Request, ctx: RequestContext, emit: Emit): Promise<void> {
    const aggregations: Request[] = request.structuredAggregationQuery?.aggregations ?? [];
    if (aggregations.length === 0)
      throw invalidArgument('An aggregation query needs at least one aggregation.');
    if (aggregations.length > 5)
      throw invalidArgument('An aggregation query supports at most 5 aggregations.');
    const { results, newTransaction, readTime } = await this.executeQuery(request, ctx);
    const aggregateFields: Record<string, Value> = {};
    aggregations.forEach((aggregation, i) => {
      const alias: string = aggregation.alias || `field_${i + 1}`;
      if (aggregation.count) {
        const upTo = aggregation.count.upTo?.value;
        const count = upTo !== undefined ? Math.min(results.length, Number(upTo)) : results.length;
        aggregateFields[alias] = { integerValue: String(count) };
      } else if (aggregation.sum) {
        aggregateFields[alias] = sumOf(results, parseFieldPath(aggregation.sum.field.fieldPath));
      } else if (aggregation.avg) {
        aggregateFields[alias] = averageOf(results, parseFieldPath(aggregation.avg.field.fieldPath));
      } else {
        throw invalidArgument('Unsupported aggregation.');
      }
    });
    const response: Record<string, unknown> = { result: { aggregateFields }, readTime };
    if (newTransaction) response.transaction = newTransaction;
    emit(response);
  }

  /** No split points: the whole query is one partition, which the SDKs accept (and is valid for any data size). */
  async partitionQuery(request: Request, ctx: RequestContext): Promise<Record<string, unknown>> {
    const parent = parseResourceName(request.parent);
    const db = this.database(parent.projectId, parent.databaseId);
    if (!request.structuredQuery) throw invalidArgument('A structured query is required.');
    compileQuery(request.structuredQuery, parent.path, `${db.name}/documents/`);
    void ctx;
    return { partitions: [] };
  }

  // ---- Bidirectional streams ---------------------------------------------------------------------------

  listen(ctx: RequestContext, send: Emit, end: (error?: RpcError) => void): BidiStream {
    return new ListenStream(this, ctx, send, end);
  }

  write(ctx: RequestContext, send: Emit, end: (error?: RpcError) => void): BidiStream {
    const streamId = randomBytes(8).toString('hex');
    let handshaken = false;
    let closed = false;
    let chain = Promise.resolve();
    let db: DatabaseStore | null = null;
    const token = () => randomBytes(8);
    return {
      push: (request: Request) => {
        chain = chain.then(async () => {
          if (closed) return;
          try {
            if (!db) db = this.dbForDatabase(request.database, ctx);
            if (!handshaken) {
              handshaken = true;
              if (request.writes?.length)
                throw invalidArgument('The first request on a write stream must be a handshake.');
              send({ streamId, streamToken: token() });
              return;
            }
            const writes: WriteRequest[] = request.writes ?? [];
            const { writeResults, commitTime } = await this.commitWrites(db, writes, ctx);
            send({ streamId, streamToken: token(), writeResults, commitTime });
          } catch (error) {
            closed = true;
            end(toRpcError(error));
          }
        });
      },
      close: () => {
        closed = true;
      },
      drain: () => chain,
    };
  }
}

export function relativePath(name: string): string {
  const index = name.indexOf('/documents/');
  return index < 0 ? '' : name.slice(index + '/documents/'.length);
}

function randomId(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(20);
  let id = '';
  for (const byte of bytes) id += chars[byte % chars.length];
  return id;
}

function maskDocument(doc: Document, mask: { fieldPaths?: string[] } | undefined): Document {
  if (!mask) return doc;
  return project(doc, (mask.fieldPaths ?? []).map(parseFieldPath));
}

function sumOf(docs: Document[], segments: string[]): Value {
  let integer = 0n;
  let double = 0;
  let sawDouble = false;
  for (const doc of docs) {
    const value = getField(doc.fields, segments);
    if (!isNumber(value)) continue;
    if ('integerValue' in value) integer += BigInt(value.integerValue);
    else {
      sawDouble = true;
      double += value.doubleValue;
    }
  }
  const overflow = integer > 2n ** 63n - 1n || integer < -(2n ** 63n);
  if (!sawDouble && !overflow) return { integerValue: integer.toString() };
  return { doubleValue: double + Number(integer) };
}

function averageOf(docs: Document[], segments: string[]): Value {
  let total = 0;
  let count = 0;
  for (const doc of docs) {
    const value = getField(doc.fields, segments);
    if (!isNumber(value)) continue;
    total += 'integerValue' in value ? Number(value.integerValue) : value.doubleValue;
    count++;
  }
  return count === 0 ? { nullValue: 'NULL_VALUE' } : { doubleValue: total / count };
}
