import type { Authorizer, QueryShape } from './authorizer.ts';
import type { RequestContext } from './context.ts';
import type { RpcError } from './errors.ts';
import { ListenStream } from './listen.ts';
import type { CompiledQuery, StructuredQuery } from './query.ts';
import { AccessControl, type ReadRequest } from './service/access.ts';
import { Databases } from './service/databases.ts';
import { IndexPolicy } from './service/index-policy.ts';
import { Reads } from './service/reads.ts';
import type { BidiRpc, BidiStream, Emit, Request, StreamingRpc, UnaryRpc } from './service/rpc.ts';
import { type CommitResult, Writes } from './service/writes.ts';
import type { DatabaseStore, ReadView } from './store.ts';
import { type Transaction, TransactionManager } from './transactions.ts';
import { TriggerDispatcher } from './triggers/dispatcher.ts';
import type { WriteRequest } from './writes.ts';

// The google.firestore.v1.Firestore service, independent of any transport (gRPC in grpc.ts, WebChannel and
// REST in webchannel/). It is a thin RPC table over three rooms: reads (service/reads.ts), writes and
// transactions (service/writes.ts) and authorization (service/access.ts), with the databases they share
// (service/databases.ts). Request and response shapes: service/rpc.ts.

export { relativePath } from './service/documents.ts';
export type { BidiStream, Emit, Request } from './service/rpc.ts';

export interface ServiceOptions {
  /** Idle time after which an abandoned transaction expires (ms). */
  transactionTimeoutMs?: number;
  /** How long overwritten versions are kept for reads at a past read_time (ms). */
  historyRetentionMs?: number;
  /** Strict index mode: queries needing a composite index missing from the definitions fail (indexes.ts). */
  requireIndexes?: boolean;
}

/** gRPC method name → service method, by call shape. */
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

type UnaryName = (typeof unaryMethods)[keyof typeof unaryMethods];
type StreamingName = (typeof serverStreamingMethods)[keyof typeof serverStreamingMethods];
type BidiName = (typeof bidiMethods)[keyof typeof bidiMethods];

export class FirestoreService
  implements Record<UnaryName, UnaryRpc>, Record<StreamingName, StreamingRpc>, Record<BidiName, BidiRpc>
{
  readonly transactions: TransactionManager;
  readonly databases: Databases;
  readonly access = new AccessControl();
  readonly indexes: IndexPolicy;
  /** Cloud Functions Firestore triggers registered by the Functions emulator (triggers/dispatcher.ts). */
  readonly triggers: TriggerDispatcher;
  readonly reads: Reads;
  readonly writes: Writes;

  constructor(options: ServiceOptions = {}) {
    this.transactions = new TransactionManager(options.transactionTimeoutMs ?? 60_000);
    this.databases = new Databases(BigInt(options.historyRetentionMs ?? 60_000) * 1000n);
    this.indexes = new IndexPolicy(options.requireIndexes ?? false);
    this.triggers = new TriggerDispatcher(this.databases);
    this.reads = new Reads(this.databases, this.access, this.transactions, this.indexes);
    this.writes = new Writes(this.databases, this.access, this.transactions);
  }

  close(): void {
    this.transactions.close();
  }

  // ---- The RPC table -----------------------------------------------------------------------------------

  getDocument = (r: Request, c: RequestContext) => this.reads.getDocument(r, c);
  listDocuments = (r: Request, c: RequestContext) => this.reads.listDocuments(r, c);
  listCollectionIds = (r: Request, c: RequestContext) => this.reads.listCollectionIds(r, c);
  partitionQuery = (r: Request, c: RequestContext) => this.reads.partitionQuery(r, c);
  batchGetDocuments = (r: Request, c: RequestContext, e: Emit) => this.reads.batchGetDocuments(r, c, e);
  runQuery = (r: Request, c: RequestContext, e: Emit) => this.reads.runQuery(r, c, e);
  runAggregationQuery = (r: Request, c: RequestContext, e: Emit) => this.reads.runAggregationQuery(r, c, e);
  createDocument = (r: Request, c: RequestContext) => this.writes.createDocument(r, c);
  updateDocument = (r: Request, c: RequestContext) => this.writes.updateDocument(r, c);
  deleteDocument = (r: Request, c: RequestContext) => this.writes.deleteDocument(r, c);
  beginTransaction = (r: Request, c: RequestContext) => this.writes.beginTransaction(r, c);
  commit = (r: Request, c: RequestContext) => this.writes.commit(r, c);
  rollback = (r: Request, c: RequestContext) => this.writes.rollback(r, c);
  batchWrite = (r: Request, c: RequestContext) => this.writes.batchWrite(r, c);
  listen = (c: RequestContext, send: Emit, end: (error?: RpcError) => void): BidiStream =>
    new ListenStream(this, c, send, end);
  write = (c: RequestContext, send: Emit, end: (error?: RpcError) => void) => this.writes.write(c, send, end);

  // ---- Administration and in-process tools -------------------------------------------------------------

  database(projectId: string, databaseId = '(default)'): DatabaseStore {
    return this.databases.get(projectId, databaseId);
  }

  allDatabases(): DatabaseStore[] {
    return this.databases.all();
  }

  clearDatabase(projectId: string, databaseId = '(default)'): void {
    this.databases.clear(projectId, databaseId);
  }

  /** Compiles and installs rules for a project; throws (keeping the previous rules) on a syntax error. */
  setRules(projectId: string, source: string): void {
    this.access.setRules(projectId, source);
  }

  /** Index definitions (firestore.indexes.json) for strict mode; a project without its own uses the default. */
  setIndexes(projectId: string | null, definitions: unknown): void {
    this.indexes.set(projectId, definitions);
  }

  setAuthorizer(projectId: string, authorizer: Authorizer): void {
    this.access.setAuthorizer(projectId, authorizer);
  }

  authorizerFor(projectId: string): Authorizer {
    return this.access.authorizerFor(projectId);
  }

  authorizeReads(ctx: RequestContext, db: DatabaseStore, requests: ReadRequest[], view?: ReadView): void {
    this.access.authorizeReads(ctx, db, requests, view);
  }

  queryShape(query: CompiledQuery, structuredQuery: StructuredQuery): QueryShape {
    return this.access.queryShape(query, structuredQuery);
  }

  checkIndexes(projectId: string, structuredQuery: StructuredQuery, query: CompiledQuery): void {
    this.indexes.check(projectId, structuredQuery, query);
  }

  commitWrites(
    db: DatabaseStore,
    writes: WriteRequest[],
    ctx: RequestContext,
    txn: Transaction | null = null,
  ): Promise<CommitResult> {
    return this.writes.commitWrites(db, writes, ctx, txn);
  }
}
