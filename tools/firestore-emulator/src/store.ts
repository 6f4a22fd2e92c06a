import { lastSegment, parentPath } from './paths.ts';
import { currentMicros, timestampToMicros } from './time.ts';
import type { Document } from './types.ts';

// One database's documents in memory: a map by relative path, an index of collections (so a collection
// query touches only its own documents), and a short history of overwritten versions so reads at a past
// read_time (read-only transactions, resumed listeners) see a consistent snapshot.

export interface DocumentChange {
  path: string;
  before: Document | null;
  after: Document | null;
}

export interface ReadView {
  get(path: string): Document | null;
  /** Documents directly in a collection (unordered). */
  collection(collectionPath: string): Iterable<Document>;
  /** Documents in every collection with this id under parent ('' = whole database). */
  collectionGroup(parent: string, collectionId: string): Iterable<Document>;
  /** Every document below parent ('' = whole database), for kindless queries. */
  descendants(parent: string): Iterable<Document>;
}

/** Who made a commit: an admin (Bearer owner), a signed-in user, nobody; or the emulator clearing data. */
export interface CommitOrigin {
  admin: boolean;
  uid: string | null;
  /** The database was cleared through the emulator endpoint (not a write any function should see). */
  cleared?: boolean;
}

export type CommitListener = (changes: DocumentChange[], commitMicros: bigint, origin: CommitOrigin) => void;

const SYSTEM: CommitOrigin = { admin: true, uid: null };

interface HistoryEntry {
  micros: bigint;
  before: Document | null;
}

export class DatabaseStore implements ReadView {
  private readonly docs = new Map<string, Document>();
  /** collection path → set of document paths directly in it. */
  private readonly collections = new Map<string, Set<string>>();
  /** collection id → collection paths with that id. */
  private readonly collectionsById = new Map<string, Set<string>>();
  /** Last write time of deleted paths, so transactions notice a delete (and re-create) of what they read. */
  private readonly deletedAt = new Map<string, bigint>();
  private readonly history = new Map<string, HistoryEntry[]>();
  private readonly historyQueue: { micros: bigint; path: string }[] = [];
  private readonly listeners = new Set<CommitListener>();
  /** History before this time may have been dropped (or, before the store existed, was never kept). */
  private prunedHorizon = currentMicros();

  constructor(
    /** projects/{p}/databases/{d} */
    readonly name: string,
    private readonly historyRetentionMicros: bigint,
  ) {}

  get size(): number {
    return this.docs.size;
  }

  get(path: string): Document | null {
    return this.docs.get(path) ?? null;
  }

  /** Micros of the last write (update or delete) of this path; 0 when never written. */
  version(path: string): bigint {
    const doc = this.docs.get(path);
    if (doc) return timestampToMicros(doc.updateTime);
    return this.deletedAt.get(path) ?? 0n;
  }

  *collection(collectionPath: string): Iterable<Document> {
    const paths = this.collections.get(collectionPath);
    if (!paths) return;
    for (const path of paths) yield this.docs.get(path)!;
  }

  *collectionGroup(parent: string, collectionId: string): Iterable<Document> {
    const collectionPaths = this.collectionsById.get(collectionId);
    if (!collectionPaths) return;
    const prefix = parent === '' ? '' : parent + '/';
    for (const collectionPath of collectionPaths) {
      if (prefix !== '' && !collectionPath.startsWith(prefix)) continue;
      yield* this.collection(collectionPath);
    }
  }

  *descendants(parent: string): Iterable<Document> {
    const prefix = parent === '' ? '' : parent + '/';
    for (const [path, doc] of this.docs) if (path.startsWith(prefix)) yield doc;
  }

  /** All stored documents (unordered). */
  all(): IterableIterator<Document> {
    return this.docs.values();
  }

  paths(): IterableIterator<string> {
    return this.docs.keys();
  }

  /** A view of the data as it was at `micros` (within the history retention). */
  at(micros: bigint): ReadView {
    const store = this;
    const resolve = (path: string, current: Document | null): Document | null => {
      const entries = store.history.get(path);
      if (!entries) return current;
      // The earliest change after `micros` holds the state as of `micros`.
      for (const entry of entries) if (entry.micros > micros) return entry.before;
      return current;
    };
    const changedPathsIn = (belongs: (path: string) => boolean): string[] => {
      const out: string[] = [];
      for (const [path, entries] of store.history) {
        if (!store.docs.has(path) && belongs(path) && entries.some((e) => e.micros > micros)) out.push(path);
      }
      return out;
    };
    return {
      get: (path) => resolve(path, store.get(path)),
      *collection(collectionPath) {
        for (const doc of store.collection(collectionPath)) {
          const then = resolve(relative(doc.name), doc);
          if (then) yield then;
        }
        for (const path of changedPathsIn((p) => parentPath(p) === collectionPath)) {
          const then = resolve(path, null);
          if (then) yield then;
        }
      },
      *descendants(parent) {
        const prefix = parent === '' ? '' : parent + '/';
        for (const doc of store.descendants(parent)) {
          const then = resolve(relative(doc.name), doc);
          if (then) yield then;
        }
        for (const path of changedPathsIn((p) => p.startsWith(prefix))) {
          const then = resolve(path, null);
          if (then) yield then;
        }
      },
      *collectionGroup(parent, collectionId) {
        for (const doc of store.collectionGroup(parent, collectionId)) {
          const then = resolve(relative(doc.name), doc);
          if (then) yield then;
        }
        const prefix = parent === '' ? '' : parent + '/';
        for (const path of changedPathsIn(
          (p) => lastSegment(parentPath(p)) === collectionId && p.startsWith(prefix),
        )) {
          const then = resolve(path, null);
          if (then) yield then;
        }
      },
    };
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one commit's document changes atomically and tells every listener once. */
  apply(changes: DocumentChange[], commitMicros: bigint, origin: CommitOrigin = SYSTEM): void {
    for (const change of changes) {
      this.recordHistory(change.path, change.before, commitMicros);
      if (change.after) this.put(change.path, change.after);
      else this.remove(change.path, commitMicros);
    }
    this.pruneHistory(commitMicros);
    if (changes.length === 0) return;
    for (const listener of this.listeners) {
      // A failing listener (a broken stream) must not fail the commit that has already been applied.
      try {
        listener(changes, commitMicros, origin);
      } catch {}
    }
  }

  /** Loads documents without history or notifications (import). */
  load(doc: Document, path: string): void {
    this.put(path, doc);
  }

  clear(commitMicros: bigint): void {
    const changes: DocumentChange[] = [];
    for (const [path, doc] of this.docs) changes.push({ path, before: doc, after: null });
    this.apply(changes, commitMicros, { ...SYSTEM, cleared: true });
  }

  private put(path: string, doc: Document): void {
    if (!this.docs.has(path)) {
      const collectionPath = parentPath(path);
      let members = this.collections.get(collectionPath);
      if (!members) {
        members = new Set();
        this.collections.set(collectionPath, members);
        const id = lastSegment(collectionPath);
        let byId = this.collectionsById.get(id);
        if (!byId) {
          byId = new Set();
          this.collectionsById.set(id, byId);
        }
        byId.add(collectionPath);
      }
      members.add(path);
      this.deletedAt.delete(path);
    }
    this.docs.set(path, doc);
  }

  private remove(path: string, micros: bigint): void {
    if (!this.docs.delete(path)) return;
    this.deletedAt.set(path, micros);
    const collectionPath = parentPath(path);
    const members = this.collections.get(collectionPath);
    if (!members) return;
    members.delete(path);
    if (members.size === 0) {
      this.collections.delete(collectionPath);
      this.collectionsById.get(lastSegment(collectionPath))?.delete(collectionPath);
    }
  }

  private recordHistory(path: string, before: Document | null, micros: bigint): void {
    if (this.historyRetentionMicros <= 0n) return;
    let entries = this.history.get(path);
    if (!entries) {
      entries = [];
      this.history.set(path, entries);
    }
    entries.push({ micros, before });
    this.historyQueue.push({ micros, path });
  }

  /** Whether reads at this past time still see exactly the state of then (its history is retained). */
  canReadAt(micros: bigint): boolean {
    return this.historyRetentionMicros > 0n && micros >= this.prunedHorizon && micros <= currentMicros();
  }

  private pruneHistory(nowMicros: bigint): void {
    const horizon = nowMicros - this.historyRetentionMicros;
    if (horizon > this.prunedHorizon) this.prunedHorizon = horizon;
    let dropped = 0;
    while (dropped < this.historyQueue.length && this.historyQueue[dropped].micros < horizon) {
      const { path } = this.historyQueue[dropped];
      const entries = this.history.get(path);
      if (entries) {
        entries.shift();
        if (entries.length === 0) this.history.delete(path);
      }
      dropped++;
    }
    if (dropped > 0) this.historyQueue.splice(0, dropped);
    if (this.deletedAt.size > 100_000) {
      for (const [path, micros] of this.deletedAt) if (micros < horizon) this.deletedAt.delete(path);
    }
  }

  /** Relative paths of all documents and of collections that contain descendants, for listing. */
  childCollectionIds(documentPath: string): string[] {
    const prefix = documentPath === '' ? '' : documentPath + '/';
    const ids = new Set<string>();
    for (const collectionPath of this.collections.keys()) {
      if (!collectionPath.startsWith(prefix)) continue;
      ids.add(collectionPath.slice(prefix.length).split('/')[0]);
    }
    return [...ids];
  }

  /** Paths of documents in a collection, including missing ones that have subcollections. */
  documentPathsIn(collectionPath: string, showMissing: boolean): string[] {
    const paths = new Set<string>();
    for (const doc of this.collection(collectionPath)) paths.add(relative(doc.name));
    if (showMissing) {
      const prefix = collectionPath + '/';
      for (const other of this.collections.keys()) {
        if (!other.startsWith(prefix)) continue;
        const id = other.slice(prefix.length).split('/')[0];
        paths.add(prefix + id);
      }
    }
    return [...paths];
  }
}

export function relative(name: string): string {
  const index = name.indexOf('/documents/');
  return index < 0 ? '' : name.slice(index + '/documents/'.length);
}
