import { userLinksQuery } from '@esp32cloud/hosting/devices/queries';
import { type FirebaseApp, initializeApp } from 'firebase/app';
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
} from 'firebase/auth';
import {
  collection,
  connectFirestoreEmulator,
  doc,
  type Firestore,
  type FirestoreError,
  getCountFromServer,
  getDoc,
  initializeFirestore,
  onSnapshot,
  orderBy,
  type Query,
  query,
  runTransaction,
  type SnapshotMetadata,
  setDoc,
  type Unsubscribe,
  where,
} from 'firebase/firestore';
import * as lite from 'firebase/firestore/lite';

// A page that drives the Firebase web SDK (browser build, bundled by Vite) from Playwright: the test calls
// window.harness.* through page.evaluate and reads what the listeners saw from window.harness.events.

export interface PageConfig {
  projectId: string;
  firestoreHost: string;
  firestorePort: number;
  authUrl: string;
  longPolling: boolean;
}

/** What one listener callback saw. */
export interface SnapshotEvent {
  at: number;
  fromCache: boolean;
  hasPendingWrites: boolean;
  docs: Array<{ id: string; data: Record<string, unknown> }>;
  exists?: boolean;
}

export interface ListenerState {
  events: SnapshotEvent[];
  errors: string[];
}

let db: Firestore | null = null;
let liteDb: lite.Firestore | null = null;
let firebaseApp: FirebaseApp | null = null;
let pageConfig: PageConfig | null = null;
const listeners = new Map<string, { state: ListenerState; stop: Unsubscribe }>();

function now(): number {
  return performance.timeOrigin + performance.now();
}

function firestore(): Firestore {
  if (!db) throw new Error('harness.init() first');
  return db;
}

/** What every snapshot event records about its metadata. */
function seenNow(metadata: SnapshotMetadata): Pick<SnapshotEvent, 'at' | 'fromCache' | 'hasPendingWrites'> {
  return { at: now(), fromCache: metadata.fromCache, hasPendingWrites: metadata.hasPendingWrites };
}

/** Keeps a listener's snapshots and errors under `name`, for harness.state(name). */
function track(
  name: string,
  listen: (state: ListenerState, onError: (error: FirestoreError) => void) => Unsubscribe,
) {
  const state: ListenerState = { events: [], errors: [] };
  const stop = listen(state, (error) => state.errors.push(`${error.code}: ${error.message}`));
  listeners.set(name, { state, stop });
}

/** Records every snapshot of a query (with metadata changes) and every error under `name`. */
function listenToQuery(name: string, target: Query): void {
  track(name, (state, onError) =>
    onSnapshot(
      target,
      { includeMetadataChanges: true },
      (snapshot) => {
        state.events.push({
          ...seenNow(snapshot.metadata),
          docs: snapshot.docs.map((d) => ({ id: d.id, data: d.data() })),
        });
      },
      onError,
    ),
  );
}

const harness = {
  async init(config: PageConfig): Promise<void> {
    const app = initializeApp({ apiKey: 'demo-api-key', projectId: config.projectId, appId: 'demo-app' });
    firebaseApp = app;
    pageConfig = config;
    connectAuthEmulator(getAuth(app), config.authUrl, { disableWarnings: true });
    db = initializeFirestore(app, config.longPolling ? { experimentalForceLongPolling: true } : {});
    connectFirestoreEmulator(db, config.firestoreHost, config.firestorePort);
  },

  async signUp(email: string, password: string): Promise<string> {
    const credential = await createUserWithEmailAndPassword(getAuth(), email, password);
    return credential.user.uid;
  },

  async signIn(email: string, password: string): Promise<string> {
    const credential = await signInWithEmailAndPassword(getAuth(), email, password);
    return credential.user.uid;
  },

  /** Listens to a collection, optionally filtered on one field, ordered by document id. */
  listenQuery(name: string, collectionPath: string, filter?: { field: string; value: unknown }): void {
    const base = collection(firestore(), collectionPath);
    listenToQuery(
      name,
      filter ? query(base, where(filter.field, '==', filter.value)) : query(base, orderBy('__name__')),
    );
  },

  /** The web app's own dashboard listener (hosting/src/devices/queries.ts): the user's device links. */
  listenDashboard(name: string, uid: string): void {
    listenToQuery(name, userLinksQuery(firestore(), uid));
  },

  listenDoc(name: string, documentPath: string): void {
    track(name, (state, onError) =>
      onSnapshot(
        doc(firestore(), documentPath),
        { includeMetadataChanges: true },
        (snapshot) => {
          state.events.push({
            ...seenNow(snapshot.metadata),
            exists: snapshot.exists(),
            docs: snapshot.exists() ? [{ id: snapshot.id, data: snapshot.data() }] : [],
          });
        },
        onError,
      ),
    );
  },

  /** getDoc from the server; resolves the document's data (null when missing) or the error code. */
  async read(documentPath: string): Promise<Record<string, unknown> | null | string> {
    try {
      return (await getDoc(doc(firestore(), documentPath))).data() ?? null;
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },

  state(name: string): ListenerState {
    const listener = listeners.get(name);
    if (!listener) throw new Error(`no listener ${name}`);
    return listener.state;
  },

  unlisten(name: string): void {
    listeners.get(name)?.stop();
    listeners.delete(name);
  },

  /** setDoc; resolves 'ok' or the error code (e.g. 'permission-denied'). */
  async write(documentPath: string, data: Record<string, unknown>): Promise<string> {
    try {
      await setDoc(doc(firestore(), documentPath), data);
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },

  /** Increments `n` of a document in a transaction (read, then write); resolves the new value or the error code. */
  async increment(documentPath: string): Promise<number | string> {
    try {
      return await runTransaction(firestore(), async (transaction) => {
        const ref = doc(firestore(), documentPath);
        const snapshot = await transaction.get(ref);
        const n = ((snapshot.data()?.n as number | undefined) ?? 0) + 1;
        transaction.set(ref, { n });
        return n;
      });
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },

  /** Copies `n` from one document to another in a transaction (the source is read, not written: a verify). */
  async copy(fromPath: string, toPath: string): Promise<string> {
    try {
      await runTransaction(firestore(), async (transaction) => {
        const source = await transaction.get(doc(firestore(), fromPath));
        transaction.set(doc(firestore(), toPath), { n: source.data()?.n ?? null });
      });
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },

  /**
   * The lite SDK (REST only, fetch-based): writes a document, reads it back and queries its collection.
   * Resolves what it read, or the error code.
   */
  async liteRoundTrip(
    documentPath: string,
    data: Record<string, unknown>,
  ): Promise<{ read: Record<string, unknown> | null; listed: string[] } | string> {
    try {
      if (!liteDb) {
        liteDb = lite.getFirestore(firebaseApp!);
        lite.connectFirestoreEmulator(liteDb, pageConfig!.firestoreHost, pageConfig!.firestorePort);
      }
      const ref = lite.doc(liteDb, documentPath);
      await lite.setDoc(ref, data);
      const read = (await lite.getDoc(ref)).data() ?? null;
      const listed = (await lite.getDocs(lite.query(ref.parent, lite.orderBy('__name__')))).docs.map(
        (d) => d.id,
      );
      return { read, listed };
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },

  /** getCountFromServer on a collection; resolves the count or the error code. */
  async count(collectionPath: string): Promise<number | string> {
    try {
      return (await getCountFromServer(collection(firestore(), collectionPath))).data().count;
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}

window.harness = harness;
document.getElementById('status')!.textContent = 'ready';
