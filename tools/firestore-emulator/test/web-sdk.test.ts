import {
  addDoc,
  and,
  average,
  collection,
  count,
  deleteDoc,
  doc,
  type Firestore,
  getAggregateFromServer,
  getDocFromServer,
  getDocsFromServer,
  increment,
  limit,
  limitToLast,
  onSnapshot,
  or,
  orderBy,
  type QuerySnapshot,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  sum,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../src/index.ts';
import { expectCode, type Harness, PROJECT, startHarness } from './helpers.ts';

// The firebase web SDK in Node (gRPC): the Write stream, Listen with its watch protocol, transactions
// (optimistic, with update-time preconditions), aggregations, and identity from mock ID tokens.

let h: Harness;
let db: Firestore;
beforeAll(async () => {
  h = await startHarness();
  db = h.web();
});
afterAll(() => h.close());

describe('writes over the Write stream', () => {
  it('sets, updates, adds and deletes', async () => {
    const ref = doc(db, 'devices/ESP32_AA5510');
    await setDoc(ref, { device_type: '4Relay', state: { online: false }, name: 'ห้องนั่งเล่น' });
    await updateDoc(ref, { 'state.online': true, count: increment(2), at: serverTimestamp() });
    await setDoc(ref, { extra: [1, 2] }, { merge: true });
    const snap = await getDocFromServer(ref);
    expect(snap.data()).toMatchObject({
      device_type: '4Relay',
      state: { online: true },
      name: 'ห้องนั่งเล่น',
      count: 2,
      extra: [1, 2],
    });
    expect(snap.get('at')).toBeInstanceOf(Timestamp);
    const added = await addDoc(collection(db, 'logs'), { line: 'hello' });
    expect((await getDocFromServer(added)).get('line')).toBe('hello');
    await deleteDoc(ref);
    expect((await getDocFromServer(ref)).exists()).toBe(false);
  });

  it('fails updateDoc of a missing document with not-found', async () => {
    await expectCode(updateDoc(doc(db, 'missing/doc'), { a: 1 }), 'not-found');
  });

  it('applies a failing batch not at all', async () => {
    await setDoc(doc(db, 'wb/keep'), { v: 1 });
    const batch = writeBatch(db);
    batch.set(doc(db, 'wb/new'), { v: 1 });
    batch.update(doc(db, 'wb/keep'), { v: 2 });
    batch.update(doc(db, 'wb/missing'), { v: 3 });
    await expectCode(batch.commit(), 'not-found');
    expect((await getDocFromServer(doc(db, 'wb/new'))).exists()).toBe(false);
    expect((await getDocFromServer(doc(db, 'wb/keep'))).get('v')).toBe(1);
  });
});

describe('queries and aggregations', () => {
  it('runs filtered, ordered and limited queries', async () => {
    const batch = writeBatch(db);
    for (let i = 0; i < 6; i++) batch.set(doc(db, `wq/${i}`), { n: i, kind: i % 2 ? 'odd' : 'even' });
    await batch.commit();
    const ids = (snap: QuerySnapshot) => snap.docs.map((d) => d.id);
    const c = collection(db, 'wq');
    expect(
      ids(await getDocsFromServer(query(c, where('n', '>=', 2), orderBy('n', 'desc'), limit(2)))),
    ).toEqual(['5', '4']);
    expect(ids(await getDocsFromServer(query(c, orderBy('n'), limitToLast(2))))).toEqual(['4', '5']);
    const composite = query(c, or(where('n', '==', 0), and(where('kind', '==', 'odd'), where('n', '>', 3))));
    expect(ids(await getDocsFromServer(composite))).toEqual(['0', '5']);
    const agg = await getAggregateFromServer(query(c, where('kind', '==', 'even')), {
      total: sum('n'),
      mean: average('n'),
      howMany: count(),
    });
    expect(agg.data()).toEqual({ total: 6, mean: 2, howMany: 3 });
  });
});

describe('listeners over the Listen stream', () => {
  it('follows a document and a query, one snapshot per commit', async () => {
    const docStates: unknown[] = [];
    const querySizes: number[] = [];
    const stopDoc = onSnapshot(doc(db, 'wl/a'), (snap) => {
      if (!snap.metadata.hasPendingWrites && !snap.metadata.fromCache) docStates.push(snap.data() ?? null);
    });
    const stopQuery = onSnapshot(query(collection(db, 'wl'), where('on', '==', true)), (snap) => {
      if (!snap.metadata.hasPendingWrites && !snap.metadata.fromCache) querySizes.push(snap.size);
    });
    await expect.poll(() => docStates.length).toBe(1);
    await expect.poll(() => querySizes.length).toBe(1);
    // Written by another client, so the listener sees exactly what the server sends.
    const admin = h.admin();
    const batch = admin.batch();
    batch.set(admin.doc('wl/a'), { on: true });
    batch.set(admin.doc('wl/b'), { on: true });
    await batch.commit();
    await expect.poll(() => querySizes.at(-1)).toBe(2);
    await admin.doc('wl/a').update({ on: false });
    await expect.poll(() => querySizes.at(-1)).toBe(1);
    await expect.poll(() => docStates.at(-1)).toEqual({ on: false });
    stopDoc();
    stopQuery();
    expect(querySizes).toEqual([0, 2, 1]);
    expect(docStates).toEqual([null, { on: true }, { on: false }]);
  });

  it('removes one target while others on the same stream keep listening', async () => {
    const client = h.web();
    const kept: number[] = [];
    const dropped: number[] = [];
    const stopKept = onSnapshot(collection(client, 'multi'), (snap) => {
      if (!snap.metadata.fromCache) kept.push(snap.size);
    });
    const stopDropped = onSnapshot(query(collection(client, 'multi'), where('v', '>', 0)), (snap) => {
      if (!snap.metadata.fromCache) dropped.push(snap.size);
    });
    await expect.poll(() => kept.length > 0 && dropped.length > 0, { timeout: 10_000 }).toBe(true);
    stopDropped();
    const droppedCalls = dropped.length;
    await h.admin().doc('multi/a').set({ v: 1 });
    await expect.poll(() => kept.at(-1), { timeout: 10_000 }).toBe(1);
    stopKept();
    expect(dropped.length).toBe(droppedCalls);
  });

  it('resumes a target with its resume token and catches up', async () => {
    const resumeTokens: number[] = [];
    const responses: Record<string, unknown>[] = [];
    const service = h.emulator.service;
    const originalListen = service.listen.bind(service);
    service.listen = (ctx, send, end) => {
      const stream = originalListen(
        ctx,
        (response) => {
          responses.push(response);
          send(response);
        },
        end,
      );
      return {
        push(request) {
          if (request.addTarget?.resumeToken?.length) resumeTokens.push(request.addTarget.targetId);
          stream.push(request);
        },
        close: () => stream.close(),
      };
    };
    try {
      const client = h.web({ lruCache: true });
      const q = query(collection(client, 'resume'));
      const first: string[][] = [];
      let stop = onSnapshot(q, (snap) => {
        if (!snap.metadata.fromCache && !snap.metadata.hasPendingWrites)
          first.push(snap.docs.map((d) => d.id));
      });
      const admin = h.admin();
      await admin.doc('resume/1').set({ v: 1 });
      await expect.poll(() => first.at(-1)).toEqual(['1']);
      stop();
      await admin.doc('resume/2').set({ v: 2 });
      await admin.doc('resume/1').delete();
      responses.length = 0;
      const after: string[][] = [];
      stop = onSnapshot(q, (snap) => {
        if (!snap.metadata.fromCache) after.push(snap.docs.map((d) => d.id));
      });
      await expect.poll(() => after.at(-1)).toEqual(['2']);
      stop();
      expect(resumeTokens.length).toBeGreaterThan(0);
      // Resumed, not reset: only the changes since the token, then an existence filter with the count.
      // biome-ignore lint/suspicious/noExplicitAny: ListenResponse messages are read loosely.
      const kinds = responses.map((r: any) =>
        r.targetChange ? `target:${r.targetChange.targetChangeType}` : Object.keys(r)[0],
      );
      expect(kinds).not.toContain('target:RESET');
      expect(kinds.filter((k) => k !== 'target:NO_CHANGE')).toEqual([
        'target:ADD',
        'documentChange',
        'documentDelete',
        'filter',
        'target:CURRENT',
      ]);
      expect(responses.find((r) => 'filter' in r)).toMatchObject({ filter: { count: 1 } });
    } finally {
      service.listen = originalListen;
    }
  });
});

describe('transactions', () => {
  it('makes concurrent increments exact', async () => {
    const ref = doc(db, 'wt/counter');
    await setDoc(ref, { v: 0 });
    const other = h.web();
    await Promise.all(
      [db, other, db, other].map((client) =>
        runTransaction(client, async (tx) => {
          const snap = await tx.get(doc(client, 'wt/counter'));
          tx.update(doc(client, 'wt/counter'), { v: snap.get('v') + 1 });
        }),
      ),
    );
    expect((await getDocFromServer(ref)).get('v')).toBe(4);
  });
});

describe('identity and authorization', () => {
  it('passes the ID token as auth, no token as unauthenticated, and enforces denials', async () => {
    const seen: AccessRequest[] = [];
    h.emulator.service.setAuthorizer(PROJECT, {
      authorize(request) {
        seen.push(request);
        if (request.path.startsWith('private') && request.auth?.uid !== 'alice') {
          return { allowed: false, message: 'only alice' };
        }
        if (request.method === 'list' && request.path === 'closed')
          return { allowed: false, message: 'closed' };
        return { allowed: true };
      },
    });
    try {
      const alice = h.web({ uid: 'alice', claims: { email: 'alice@example.com' } });
      const anonymous = h.web();
      await setDoc(doc(alice, 'private/x'), { secret: 1 });
      const write = seen.find((r) => r.method === 'create' && r.path === 'private/x');
      expect(write?.auth?.uid).toBe('alice');
      expect(write?.auth?.token.email).toBe('alice@example.com');
      expect(write?.requestResource?.fields.secret).toEqual({ integerValue: '1' });

      await expectCode(getDocFromServer(doc(anonymous, 'private/x')), 'permission-denied');
      expect(seen.some((r) => r.method === 'get' && r.path === 'private/x' && r.auth === null)).toBe(true);
      await expectCode(setDoc(doc(anonymous, 'private/y'), { v: 1 }), 'permission-denied');

      // A batch with one denied write applies nothing.
      const batch = writeBatch(anonymous);
      batch.set(doc(anonymous, 'public/ok'), { v: 1 });
      batch.set(doc(anonymous, 'private/z'), { v: 1 });
      await expectCode(batch.commit(), 'permission-denied');
      expect((await h.admin().doc('public/ok').get()).exists).toBe(false);

      // An empty query is still checked against its collection.
      await expectCode(getDocsFromServer(collection(anonymous, 'closed')), 'permission-denied');
      const denied = await new Promise<{ code: string }>((resolve) =>
        onSnapshot(doc(anonymous, 'private/x'), { next: () => {}, error: (e) => resolve(e) }),
      );
      expect(denied.code).toBe('permission-denied');

      // Admin requests never reach the authorizer.
      const before = seen.length;
      await h.admin().doc('private/admin').set({ v: 1 });
      expect(seen.length).toBe(before);
    } finally {
      h.emulator.service.setAuthorizer(PROJECT, { authorize: () => ({ allowed: true }) });
    }
  });

  it('ends a listener with permission-denied when a change may no longer be read', async () => {
    // Queries are judged from their constraints, so what may change is what the rules read with get().
    h.emulator.service.setAuthorizer(PROJECT, {
      authorize: (request) =>
        request.readBefore('flags/revoked') ? { allowed: false, message: 'revoked' } : { allowed: true },
    });
    try {
      const client = h.web({ uid: 'bob' });
      await h.admin().doc('revocable/a').set({ hidden: false, v: 1 });
      const events: string[] = [];
      const errored = new Promise<{ code: string }>((resolve) =>
        onSnapshot(query(collection(client, 'revocable')), {
          next: (snap) => events.push(`size:${snap.size}`),
          error: resolve,
        }),
      );
      await expect.poll(() => events.at(-1)).toBe('size:1');
      await h.admin().doc('flags/revoked').set({ at: 1 });
      await h.admin().doc('revocable/a').update({ hidden: true });
      expect((await errored).code).toBe('permission-denied');
      expect(events).toEqual(['size:1']);
    } finally {
      h.emulator.service.setAuthorizer(PROJECT, { authorize: () => ({ allowed: true }) });
      await h.admin().doc('flags/revoked').delete();
    }
  });
});
