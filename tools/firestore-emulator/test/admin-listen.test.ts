import type { DocumentSnapshot, Firestore, QuerySnapshot } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './helpers.ts';

// Listen through firebase-admin: document and query targets, changes as documents enter and leave, limit
// queries, and one snapshot per commit for every listener.

let h: Harness;
let db: Firestore;
beforeAll(async () => {
  h = await startHarness();
  db = h.admin();
});
afterAll(() => h.close());

function docSnapshots(path: string) {
  return (push: (snap: DocumentSnapshot) => void) => db.doc(path).onSnapshot(push);
}

describe('document listeners', () => {
  it('sees a document appear, change and disappear', async () => {
    const states: unknown[] = [];
    const unsubscribe = db
      .doc('live/one')
      .onSnapshot((snap) => states.push(snap.exists ? snap.data() : null));
    await waitFor(docSnapshots('live/one'), (s) => !s.exists);
    await db.doc('live/one').set({ v: 1 });
    await waitFor(docSnapshots('live/one'), (s) => s.get('v') === 1);
    await db.doc('live/one').update({ v: 2 });
    await waitFor(docSnapshots('live/one'), (s) => s.get('v') === 2);
    await db.doc('live/one').delete();
    await waitFor(docSnapshots('live/one'), (s) => !s.exists);
    await expect.poll(() => states.length).toBe(4);
    unsubscribe();
    expect(states).toEqual([null, { v: 1 }, { v: 2 }, null]);
  });
});

describe('query listeners', () => {
  it('reports added, modified and removed as documents enter and leave the query', async () => {
    await db.doc('devs/a').set({ online: true, n: 1 });
    const changes: string[][] = [];
    const unsubscribe = db
      .collection('devs')
      .where('online', '==', true)
      .onSnapshot((snap) => changes.push(snap.docChanges().map((c) => `${c.type}:${c.doc.id}`)));
    await expect.poll(() => changes.length).toBe(1);
    await db.doc('devs/b').set({ online: true, n: 2 });
    await expect.poll(() => changes.length).toBe(2);
    await db.doc('devs/a').update({ n: 10 });
    await expect.poll(() => changes.length).toBe(3);
    await db.doc('devs/b').update({ online: false });
    await expect.poll(() => changes.length).toBe(4);
    await db.doc('devs/a').delete();
    await expect.poll(() => changes.length).toBe(5);
    await db.doc('devs/c').set({ online: false });
    await db.doc('devs/d').set({ online: true });
    await expect.poll(() => changes.length).toBe(6);
    unsubscribe();
    expect(changes).toEqual([
      ['added:a'],
      ['added:b'],
      ['modified:a'],
      ['removed:b'],
      ['removed:a'],
      ['added:d'],
    ]);
  });

  it('keeps a limit query at its limit as documents are pushed out', async () => {
    for (const n of [5, 6, 7]) await db.doc(`top/${n}`).set({ n });
    const results: number[][] = [];
    const unsubscribe = db
      .collection('top')
      .orderBy('n')
      .limit(2)
      .onSnapshot((snap) => results.push(snap.docs.map((d) => d.get('n'))));
    await expect.poll(() => results.at(-1)).toEqual([5, 6]);
    await db.doc('top/1').set({ n: 1 });
    await expect.poll(() => results.at(-1)).toEqual([1, 5]);
    await db.doc('top/1').delete();
    await expect.poll(() => results.at(-1)).toEqual([5, 6]);
    unsubscribe();
  });

  it('delivers one commit as one snapshot to every listener', async () => {
    const listeners = 5;
    const snapshots: QuerySnapshot[][] = Array.from({ length: listeners }, () => []);
    const unsubscribes = snapshots.map((list) =>
      db.collection('atomic').onSnapshot((snap) => list.push(snap)),
    );
    await expect.poll(() => snapshots.every((list) => list.length === 1)).toBe(true);
    const batch = db.batch();
    for (let i = 0; i < 3; i++) batch.set(db.doc(`atomic/d${i}`), { i });
    await batch.commit();
    await expect.poll(() => snapshots.every((list) => list.length === 2)).toBe(true);
    await db.doc('atomic/d0').update({ i: 100 });
    await expect.poll(() => snapshots.every((list) => list.length === 3)).toBe(true);
    for (const unsubscribe of unsubscribes) unsubscribe();
    for (const list of snapshots) {
      expect(list.map((snap) => snap.size)).toEqual([0, 3, 3]);
      expect(list[1].docChanges().map((c) => c.type)).toEqual(['added', 'added', 'added']);
      expect(list[2].docChanges().map((c) => c.type)).toEqual(['modified']);
      expect(list[2].readTime.toMillis()).toBeGreaterThanOrEqual(list[1].readTime.toMillis());
    }
  });

  it('listens to collection groups', async () => {
    const paths: string[][] = [];
    const unsubscribe = db
      .collectionGroup('cmds')
      .onSnapshot((snap) => paths.push(snap.docs.map((d) => d.ref.path)));
    await expect.poll(() => paths.length).toBe(1);
    await db.doc('x/1/cmds/a').set({});
    await db.doc('y/2/cmds/b').set({});
    await expect.poll(() => paths.at(-1)).toEqual(['x/1/cmds/a', 'y/2/cmds/b']);
    unsubscribe();
  });

  it('does not tell listeners of one project about commits in another', async () => {
    const other = h.admin('demo-listen-other');
    const sizes: number[] = [];
    const stop = db.collection('shared-name').onSnapshot((snap) => sizes.push(snap.size));
    await expect.poll(() => sizes.length).toBe(1);
    await other.doc('shared-name/x').set({ v: 1 });
    await db.doc('shared-name/mine').set({ v: 1 });
    await expect.poll(() => sizes.at(-1)).toBe(1);
    stop();
    expect(sizes).toEqual([0, 1]);
  });
});
