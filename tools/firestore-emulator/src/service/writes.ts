import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../context.ts';
import { Code, invalidArgument, RpcError, toRpcError } from '../errors.ts';
import { documentResourceName, parseDatabaseName, parseDocumentName, parseResourceName } from '../paths.ts';
import type { DatabaseStore, DocumentChange } from '../store.ts';
import { microsToTimestamp, nextCommitMicros } from '../time.ts';
import type { Transaction, TransactionManager } from '../transactions.ts';
import type { Document, Timestamp } from '../types.ts';
import { applyWrite, type WriteRequest, writeTarget } from '../writes.ts';
import type { AccessControl, WriteAccess } from './access.ts';
import type { Databases } from './databases.ts';
import { maskDocument, randomId } from './documents.ts';
import type { BidiStream, Emit, Request, Response } from './rpc.ts';

// The write room: every change goes through commitWrites, which applies a list of writes atomically as one
// commit (all or nothing), after the authorization room has allowed each of them. CreateDocument,
// UpdateDocument, DeleteDocument, Commit, BatchWrite and the Write stream are shapes around it; transactions
// begin and end here too.

export interface CommitResult {
  writeResults: Response[];
  commitTime: Timestamp;
}

export class Writes {
  constructor(
    private readonly databases: Databases,
    private readonly access: AccessControl,
    private readonly transactions: TransactionManager,
  ) {}

  /** Applies writes atomically (all or nothing) as one commit; authorizes them for non-admin callers. */
  async commitWrites(
    db: DatabaseStore,
    writes: WriteRequest[],
    ctx: RequestContext,
    txn: Transaction | null = null,
  ): Promise<CommitResult> {
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
      const access: WriteAccess[] = outcomes.map(({ outcome, before, write }) => ({
        method: write.delete !== undefined ? 'delete' : before ? 'update' : 'create',
        path: outcome.path,
        before,
        after: outcome.after,
      }));
      this.access.authorizeWrites(ctx, db, access, commitTime, current, txn !== null);
    }
    const changes: DocumentChange[] = [];
    for (const [path, after] of overlay) {
      const before = db.get(path);
      if (before === after || (!before && !after)) continue;
      changes.push({ path, before, after });
    }
    db.apply(changes, micros, { admin: ctx.admin, uid: ctx.auth?.uid ?? null });
    if (txn) this.transactions.finish(txn);
    const writeResults = outcomes.map(({ outcome }) => {
      const result: Response = {};
      if (outcome.updateTime) result.updateTime = outcome.updateTime;
      if (outcome.transformResults) result.transformResults = outcome.transformResults;
      return result;
    });
    return { writeResults, commitTime };
  }

  async createDocument(request: Request, ctx: RequestContext): Promise<Response> {
    const parent = parseResourceName(request.parent);
    const id = request.documentId || randomId();
    const path =
      parent.path === '' ? `${request.collectionId}/${id}` : `${parent.path}/${request.collectionId}/${id}`;
    const db = this.databases.get(parent.projectId, parent.databaseId);
    const name = documentResourceName(parent, path);
    await this.commitWrites(
      db,
      [{ update: { name, fields: request.document?.fields ?? {} }, currentDocument: { exists: false } }],
      ctx,
    );
    return maskDocument(db.get(path)!, request.mask) as unknown as Response;
  }

  async updateDocument(request: Request, ctx: RequestContext): Promise<Response> {
    const parsed = parseDocumentName(request.document?.name ?? '');
    const db = this.databases.get(parsed.projectId, parsed.databaseId);
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
    return maskDocument(db.get(parsed.path)!, request.mask) as unknown as Response;
  }

  async deleteDocument(request: Request, ctx: RequestContext): Promise<Response> {
    const parsed = parseDocumentName(request.name);
    const db = this.databases.get(parsed.projectId, parsed.databaseId);
    await this.commitWrites(db, [{ delete: request.name, currentDocument: request.currentDocument }], ctx);
    return {};
  }

  async beginTransaction(request: Request, ctx: RequestContext): Promise<Response> {
    const db = this.databases.forRequest(request.database, ctx);
    const txn = this.transactions.beginFromOptions(db.name, request.options);
    return { transaction: txn.id };
  }

  async commit(request: Request, ctx: RequestContext): Promise<Response> {
    const db = this.databases.forRequest(request.database, ctx);
    const writes: WriteRequest[] = request.writes ?? [];
    let txn: Transaction | null = null;
    if (request.transaction) {
      txn = this.transactions.get(request.transaction, db.name);
      if (txn.readOnly && writes.length > 0) {
        this.transactions.finish(txn);
        throw invalidArgument('Cannot commit writes in a read-only transaction.');
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

  async rollback(request: Request, ctx: RequestContext): Promise<Response> {
    const db = this.databases.forRequest(request.database, ctx);
    try {
      const txn = this.transactions.get(request.transaction, db.name);
      this.transactions.finish(txn);
    } catch (error) {
      // Rolling back an aborted transaction is fine; an unknown one is an error.
      if (!(error instanceof RpcError) || error.code !== Code.ABORTED) throw error;
    }
    return {};
  }

  async batchWrite(request: Request, ctx: RequestContext): Promise<Response> {
    const db = this.databases.forRequest(request.database, ctx);
    const writeResults: Response[] = [];
    const status: Response[] = [];
    for (const write of (request.writes ?? []) as WriteRequest[]) {
      try {
        const { writeResults: results } = await this.commitWrites(db, [write], ctx);
        writeResults.push(results[0]);
        status.push({}); // OK, the default status, which production's JSON answers leave empty
      } catch (error) {
        const rpc = toRpcError(error);
        writeResults.push({});
        status.push({ code: rpc.code, message: rpc.message });
      }
    }
    return { writeResults, status };
  }

  /** The Write stream: a handshake, then one commit per request, answered in order with a fresh stream token. */
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
            if (!db) db = this.databases.forRequest(request.database, ctx);
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
