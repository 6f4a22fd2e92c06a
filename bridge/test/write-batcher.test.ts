import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteBatcher } from '../src/write-batcher.ts';
import { startFirestoreFixture } from './bridge-fixtures.ts';

// The bridge's cross-device write batching against our Firestore emulator: updates of many devices share
// commits, each device's updates land in order (last write wins), one bad document fails alone, and callers
// past the pending bound wait instead of queueing without limit.

let stop: () => Promise<void>;
let db: Firestore;

beforeAll(async () => {
  const store = await startFirestoreFixture();
  db = store.db;
  stop = store.stop;
});

afterAll(async () => {
  await stop?.();
});

async function seed(prefix: string, count: number) {
  const batch = db.batch();
  for (let i = 0; i < count; i++) batch.set(db.doc(`devices/${prefix}${i}`), { state: { online: false } });
  await batch.commit();
}

describe('write batcher', () => {
  it('shares commits across devices and keeps each device last-write-wins in order', async () => {
    await seed('A', 100);
    const writer = new WriteBatcher(db, { maxBatch: 50 });
    const updates: Promise<void>[] = [];
    for (let round = 1; round <= 3; round++)
      for (let i = 0; i < 100; i++)
        updates.push(writer.update(`devices/A${i}`, { 'state.seq': round, [`state.r${round}`]: true }));
    await Promise.all(updates);
    expect(writer.commits).toBeLessThan(300);
    const snaps = await db.getAll(...Array.from({ length: 100 }, (_, i) => db.doc(`devices/A${i}`)));
    for (const snap of snaps) {
      expect(snap.get('state.seq')).toBe(3);
      expect(snap.get('state')).toMatchObject({ r1: true, r2: true, r3: true, online: false });
    }
  });

  it('fails only the update of a document that is gone', async () => {
    await seed('B', 3);
    const writer = new WriteBatcher(db);
    const results = await Promise.allSettled([
      writer.update('devices/B0', { 'state.online': true }),
      writer.update('devices/GONE', { 'state.online': true }),
      writer.update('devices/B2', { 'state.online': true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await db.doc('devices/B2').get()).get('state.online')).toBe(true);
  });

  it('makes callers wait past its pending bound, then takes them all', async () => {
    await seed('C', 40);
    const writer = new WriteBatcher(db, { maxBatch: 5, maxInFlight: 1, maxPending: 10 });
    let settled = 0;
    const updates = Array.from({ length: 40 }, (_, i) =>
      writer.update(`devices/C${i}`, { 'state.n': i }).then(() => {
        settled++;
      }),
    );
    await Promise.all(updates);
    expect(settled).toBe(40);
    expect(writer.commits).toBeGreaterThanOrEqual(8);
    expect((await db.doc('devices/C39').get()).get('state.n')).toBe(39);
  });
});
