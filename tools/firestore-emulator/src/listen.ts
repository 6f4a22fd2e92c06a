// One file on purpose (~400 lines): target bookkeeping, resume and the per-commit snapshot must agree on one
// ordering, which is easiest to keep right when it is read in one place.
import type { AccessRequest } from './authorizer.ts';
import type { RequestContext } from './context.ts';
import { Code, invalidArgument, RpcError, toRpcError } from './errors.ts';
import { parseDocumentName, parseResourceName } from './paths.ts';
import { type CompiledQuery, compileQuery, runQuery, type StructuredQuery } from './query.ts';
import type { DatabaseStore, DocumentChange } from './store.ts';
import { microsToTimestamp, nextCommitMicros, timestampsEqual, timestampToMicros } from './time.ts';
import type { Document } from './types.ts';

// The Listen stream, in the order the SDKs' watch aggregators expect: for each added target
// TargetChange ADD, the matching documents, CURRENT with a resume token, then a global NO_CHANGE (no target
// ids) carrying read_time, the consistent snapshot. Every later commit that touches any target becomes
// document changes/deletes/removes followed by exactly one global NO_CHANGE at the commit time, so each
// commit is one snapshot for every listener. A re-add with a resume token (or read time) still inside the
// retained history resumes, as production does: only what changed since then (changes, deletes, removes),
// then an existence filter with the target's document count, which the SDKs check against what they hold
// (on a mismatch they re-listen from scratch). An older token is answered with a RESET and the full result.

export interface ListenHost {
  database(projectId: string, databaseId: string): DatabaseStore;
  /** Throws RpcError(PERMISSION_DENIED) when the caller may not read these documents. */
  authorizeReads(
    ctx: RequestContext,
    db: DatabaseStore,
    requests: Omit<AccessRequest, 'database' | 'auth' | 'time' | 'readBefore' | 'readAfter'>[],
  ): void;
  queryShape(query: CompiledQuery, structuredQuery: StructuredQuery): AccessRequest['query'];
  /** Throws RpcError(FAILED_PRECONDITION) in strict index mode when the query needs a missing index. */
  checkIndexes(projectId: string, structuredQuery: StructuredQuery, query: CompiledQuery): void;
}

interface TargetState {
  id: number;
  documents?: Set<string>;
  query?: CompiledQuery;
  structuredQuery?: StructuredQuery;
  /** Paths of documents the client currently has for this target. */
  members: Set<string>;
  /** Re-run the whole query on change (limit/offset depend on other documents). */
  rerun: boolean;
}

export type Send = (response: Record<string, unknown>) => void;

function resumeToken(micros: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(micros);
  return buffer;
}

export class ListenStream {
  private readonly targets = new Map<number, TargetState>();
  private db: DatabaseStore | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly host: ListenHost,
    private readonly ctx: RequestContext,
    private readonly send: Send,
    private readonly end: (error?: RpcError) => void,
  ) {}

  push(request: Record<string, unknown>): void {
    if (this.closed) return;
    try {
      this.handle(request);
    } catch (error) {
      this.fail(toRpcError(error));
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private fail(error: RpcError): void {
    this.close();
    this.end(error);
  }

  private database(name: string | undefined): DatabaseStore {
    if (!this.db) {
      let projectId = this.ctx.projectId;
      let databaseId = this.ctx.databaseId;
      if (name) {
        const parts = /^projects\/([^/]+)\/databases\/([^/]+)$/.exec(name);
        if (!parts) throw invalidArgument(`Invalid database name: ${name}`);
        projectId = parts[1];
        databaseId = parts[2];
      }
      this.db = this.host.database(projectId, databaseId);
      this.unsubscribe = this.db.onCommit((changes, micros) => this.onCommit(changes, micros));
    }
    return this.db;
  }

  private handle(request: Record<string, unknown>): void {
    const db = this.database(request.database as string | undefined);
    const add = request.addTarget as Record<string, unknown> | undefined;
    const remove = request.removeTarget as number | undefined;
    if (add) this.addTarget(db, add);
    else if (remove !== undefined) {
      this.targets.delete(remove);
      this.send({ targetChange: { targetChangeType: 'REMOVE', targetIds: [remove] } });
    }
  }

  private addTarget(db: DatabaseStore, target: Record<string, unknown>): void {
    const id = (target.targetId as number | undefined) ?? 0;
    const resumed =
      Boolean(target.resumeToken && (target.resumeToken as Uint8Array).length > 0) ||
      Boolean(target.readTime);
    const since = resumed ? resumeMicros(target) : null;
    const canResume = since !== null && db.canReadAt(since);
    const state: TargetState = { id, members: new Set(), rerun: false };
    const documents = target.documents as { documents?: string[] } | undefined;
    const query = target.query as { parent?: string; structuredQuery?: StructuredQuery } | undefined;
    let results: Document[];
    try {
      if (documents) {
        state.documents = new Set(
          (documents.documents ?? []).map((name) => this.pathIn(db, parseDocumentName(name))),
        );
        results = [...state.documents].map((path) => db.get(path)).filter((d): d is Document => d !== null);
        if (!this.ctx.admin) {
          this.host.authorizeReads(
            this.ctx,
            db,
            [...state.documents].map((path) => ({
              method: 'get' as const,
              path,
              resource: db.get(path),
              requestResource: null,
            })),
          );
        }
      } else if (query?.structuredQuery) {
        const parent = this.pathIn(db, parseResourceName(query.parent ?? ''));
        const compiled = compileQuery(query.structuredQuery, parent, `${db.name}/documents/`);
        state.query = compiled;
        state.structuredQuery = query.structuredQuery;
        state.rerun = compiled.limit !== undefined || compiled.offset > 0;
        if (!this.ctx.admin) this.authorizeQuery(db, state);
        this.host.checkIndexes(db.name.split('/')[1]!, query.structuredQuery, compiled);
        results = runQuery(compiled, db);
      } else {
        throw invalidArgument('A target must be a query or a set of documents.');
      }
    } catch (error) {
      const rpc = toRpcError(error);
      if (rpc.code === Code.INTERNAL) throw rpc;
      this.send({ targetChange: { targetChangeType: 'ADD', targetIds: [id] } });
      this.send({
        targetChange: {
          targetChangeType: 'REMOVE',
          targetIds: [id],
          cause: { code: rpc.code, message: rpc.message },
        },
      });
      return;
    }
    this.targets.set(id, state);
    const micros = nextCommitMicros();
    this.send({ targetChange: { targetChangeType: 'ADD', targetIds: [id] } });
    if (canResume) this.sendChangesSince(db, state, results, since!, micros);
    else {
      if (resumed) this.send({ targetChange: { targetChangeType: 'RESET', targetIds: [id] } });
      for (const doc of results) {
        state.members.add(pathOf(doc));
        this.send({ documentChange: { document: doc, targetIds: [id] } });
      }
    }
    this.send({
      targetChange: { targetChangeType: 'CURRENT', targetIds: [id], resumeToken: resumeToken(micros) },
    });
    this.sendGlobalSnapshot(micros);
  }

  /**
   * A resumed target: the client holds the result as of `since`; send what differs now, then the existence
   * filter (the current count) the SDKs verify their cache against.
   */
  private sendChangesSince(
    db: DatabaseStore,
    state: TargetState,
    results: Document[],
    since: bigint,
    micros: bigint,
  ): void {
    const then = db.at(since);
    const before = state.documents
      ? [...state.documents].map((path) => then.get(path)).filter((d): d is Document => d !== null)
      : runQuery(state.query!, then);
    const beforeByPath = new Map(before.map((doc) => [pathOf(doc), doc]));
    const readTime = microsToTimestamp(micros);
    for (const doc of results) {
      const path = pathOf(doc);
      state.members.add(path);
      const old = beforeByPath.get(path);
      if (old && timestampsEqual(old.updateTime, doc.updateTime)) continue;
      this.send({ documentChange: { document: doc, targetIds: [state.id] } });
    }
    for (const [path, old] of beforeByPath) {
      if (state.members.has(path)) continue;
      const kind = db.get(path) ? 'documentRemove' : 'documentDelete';
      this.send({ [kind]: { document: old.name, removedTargetIds: [state.id], readTime } });
    }
    this.send({ filter: { targetId: state.id, count: results.length } });
  }

  /** Judged from the query's constraints alone, never from the documents it returns. */
  private authorizeQuery(db: DatabaseStore, state: TargetState): void {
    const shape = this.host.queryShape(state.query!, state.structuredQuery!)!;
    this.host.authorizeReads(this.ctx, db, [
      { method: 'list', path: shape.collection, resource: null, requestResource: null, query: shape },
    ]);
  }

  private pathIn(db: DatabaseStore, parsed: { projectId: string; databaseId: string; path: string }): string {
    if (`projects/${parsed.projectId}/databases/${parsed.databaseId}` !== db.name) {
      throw invalidArgument('A target must be in the database of the stream.');
    }
    return parsed.path;
  }

  private sendGlobalSnapshot(micros: bigint): void {
    this.send({
      targetChange: {
        targetChangeType: 'NO_CHANGE',
        targetIds: [],
        resumeToken: resumeToken(micros),
        readTime: microsToTimestamp(micros),
      },
    });
  }

  private onCommit(changes: DocumentChange[], micros: bigint): void {
    if (this.closed || this.targets.size === 0) return;
    const readTime = microsToTimestamp(micros);
    let sent = false;
    for (const target of [...this.targets.values()]) {
      // Work out the target's messages first: a caller who may no longer read what changed loses the target
      // (REMOVE with PERMISSION_DENIED) instead of seeing the data.
      const out: Record<string, unknown>[] = [];
      const visible: Document[] = [];
      const members = new Set(target.members);
      if (target.documents) {
        for (const change of changes) {
          if (!target.documents.has(change.path)) continue;
          if (change.after) {
            members.add(change.path);
            visible.push(change.after);
            out.push({ documentChange: { document: change.after, targetIds: [target.id] } });
          } else {
            members.delete(change.path);
            out.push({
              documentDelete: { document: change.before!.name, removedTargetIds: [target.id], readTime },
            });
          }
        }
      } else if (target.query) {
        const query = target.query;
        const relevant = changes.filter((change) => query.inScope(change.path));
        if (relevant.length === 0) continue;
        if (target.rerun) this.rerunQuery(target, relevant, readTime, members, out, visible);
        else {
          for (const change of relevant) {
            const fits = change.after !== null && fitsQuery(query, change.after);
            if (fits) {
              members.add(change.path);
              visible.push(change.after!);
              out.push({ documentChange: { document: change.after, targetIds: [target.id] } });
            } else if (members.has(change.path)) {
              members.delete(change.path);
              out.push(removal(target.id, change, readTime));
            }
          }
        }
      }
      if (out.length === 0) continue;
      sent = true;
      if (!this.ctx.admin && visible.length > 0) {
        try {
          this.authorizeVisible(target, visible);
        } catch (error) {
          const rpc = toRpcError(error);
          this.targets.delete(target.id);
          this.send({
            targetChange: {
              targetChangeType: 'REMOVE',
              targetIds: [target.id],
              cause: { code: rpc.code, message: rpc.message },
            },
          });
          continue;
        }
      }
      target.members = members;
      for (const message of out) this.send(message);
    }
    if (sent) this.sendGlobalSnapshot(micros);
  }

  /**
   * A document target re-checks each changed document; a query target re-checks its query (rules reading
   * other documents with get() may have changed their answer), never the documents themselves.
   */
  private authorizeVisible(target: TargetState, docs: Document[]): void {
    const db = this.db!;
    if (target.documents) {
      this.host.authorizeReads(
        this.ctx,
        db,
        docs.map((doc) => ({
          method: 'get' as const,
          path: pathOf(doc),
          resource: doc,
          requestResource: null,
        })),
      );
      return;
    }
    this.authorizeQuery(db, target);
  }

  private rerunQuery(
    target: TargetState,
    relevant: DocumentChange[],
    readTime: unknown,
    members: Set<string>,
    out: Record<string, unknown>[],
    visible: Document[],
  ): void {
    const results = runQuery(target.query!, this.db!);
    const now = new Set(results.map(pathOf));
    const changed = new Set(relevant.map((c) => c.path));
    for (const path of [...members]) {
      if (now.has(path)) continue;
      members.delete(path);
      const doc = this.db!.get(path);
      const before = relevant.find((c) => c.path === path)?.before;
      if (doc) out.push({ documentRemove: { document: doc.name, removedTargetIds: [target.id], readTime } });
      else {
        const name = before?.name ?? `${this.db!.name}/documents/${path}`;
        out.push({ documentDelete: { document: name, removedTargetIds: [target.id], readTime } });
      }
    }
    for (const doc of results) {
      const path = pathOf(doc);
      if (!members.has(path) || changed.has(path)) {
        members.add(path);
        visible.push(doc);
        out.push({ documentChange: { document: doc, targetIds: [target.id] } });
      }
    }
  }
}

function removal(targetId: number, change: DocumentChange, readTime: unknown): Record<string, unknown> {
  if (change.after)
    return { documentRemove: { document: change.after.name, removedTargetIds: [targetId], readTime } };
  return { documentDelete: { document: change.before!.name, removedTargetIds: [targetId], readTime } };
}

/** The commit time a resume token (8 bytes, big-endian micros, as this emulator issues them) or read time names. */
function resumeMicros(target: Record<string, unknown>): bigint | null {
  const token = target.resumeToken as Uint8Array | undefined;
  if (token && token.length > 0) return token.length === 8 ? Buffer.from(token).readBigUInt64BE(0) : null;
  const readTime = target.readTime as Parameters<typeof timestampToMicros>[0];
  return readTime ? timestampToMicros(readTime) : null;
}

function pathOf(doc: Document): string {
  const index = doc.name.indexOf('/documents/');
  return doc.name.slice(index + '/documents/'.length);
}

function fitsQuery(query: CompiledQuery, doc: Document): boolean {
  if (!query.matches(doc)) return false;
  if (!query.startAt && !query.endAt) return true;
  // Cursors are static, so a single-document check is exact.
  return runQueryOne(query, doc);
}

function runQueryOne(query: CompiledQuery, doc: Document): boolean {
  const single = {
    get: () => doc,
    collection: () => [doc],
    collectionGroup: () => [doc],
    descendants: () => [doc],
  };
  return (
    runQuery(
      { ...query, offset: 0, limit: undefined, allDescendants: false, parent: '', collectionId: '' },
      single,
    ).length === 1
  );
}

export { RpcError };
