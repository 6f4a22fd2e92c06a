import { AggregateField, FieldPath, Filter, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, type Harness, startHarness } from './helpers.ts';

// Queries through firebase-admin: filters, implicit ordering, cursors, offset/limit, projection,
// collection groups, aggregations, reads at a past read time, and the INVALID_ARGUMENT errors.

let h: Harness;
const ids = (snap: { docs: { id: string }[] }) => snap.docs.map((d) => d.id);

beforeAll(async () => {
  h = await startHarness();
  const db = h.admin();
  const batch = db.batch();
  const rows: [string, Record<string, unknown>][] = [
    ['a', { n: 1, type: '4Relay', tags: ['x', 'y'], price: 10.5, owner: 'u1' }],
    ['b', { n: 2, type: 'LED', tags: ['y'], price: 20, owner: 'u2' }],
    ['c', { n: 3, type: 'Sensor', tags: [], price: 5, owner: null }],
    ['d', { n: 4.5, type: 'LED', tags: ['z'], owner: 'u1' }],
    ['e', { n: 'text', type: '4Relay' }],
    ['f', { n: Number.NaN, type: 'Sensor' }],
    ['g', { n: null, type: 'LED', price: 1 }],
    ['h', { type: 'LED' }],
  ];
  for (const [id, data] of rows) batch.set(db.collection('q').doc(id), data);
  await batch.commit();
});
afterAll(() => h.close());

describe('filters', () => {
  it('compares integers and doubles as numbers and keeps types apart', async () => {
    const q = h.admin().collection('q');
    expect(ids(await q.where('n', '>', 1).get())).toEqual(['b', 'c', 'd']);
    expect(ids(await q.where('n', '>=', 2.0).get())).toEqual(['b', 'c', 'd']);
    expect(ids(await q.where('n', '==', 2.0).get())).toEqual(['b']);
    expect(ids(await q.where('n', '<', 'zzz').get())).toEqual(['e']);
    // NaN sorts before every number, so it is inside a range below a number (as the SDKs match locally).
    expect(ids(await q.where('n', '<=', 3).get())).toEqual(['f', 'a', 'b', 'c']);
  });

  it('matches null and NaN with equality', async () => {
    const q = h.admin().collection('q');
    expect(ids(await q.where('n', '==', null).get())).toEqual(['g']);
    expect(ids(await q.where('n', '==', Number.NaN).get())).toEqual(['f']);
    expect(ids(await q.where('n', '!=', null).get()).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('supports !=, in, not-in, array-contains and array-contains-any', async () => {
    const q = h.admin().collection('q');
    expect(ids(await q.where('type', '!=', 'LED').get())).toEqual(['a', 'e', 'c', 'f']);
    expect(ids(await q.where('type', 'in', ['Sensor', '4Relay']).get())).toEqual(['a', 'c', 'e', 'f']);
    expect(ids(await q.where('type', 'not-in', ['LED', 'Sensor']).get())).toEqual(['a', 'e']);
    expect(ids(await q.where('owner', 'not-in', ['u1']).get())).toEqual(['b']);
    expect(ids(await q.where('owner', 'not-in', ['u1', null]).get())).toEqual([]);
    expect(ids(await q.where('owner', 'in', [null, 'u2']).get())).toEqual(['b', 'c']);
    expect(ids(await q.where('tags', 'array-contains', 'y').get())).toEqual(['a', 'b']);
    expect(ids(await q.where('tags', 'array-contains-any', ['x', 'z']).get())).toEqual(['a', 'd']);
    expect(ids(await q.where(FieldPath.documentId(), 'in', ['b', 'h']).get())).toEqual(['b', 'h']);
  });

  it('supports composite AND/OR filters', async () => {
    const q = h.admin().collection('q');
    const or = await q
      .where(Filter.or(Filter.where('type', '==', 'Sensor'), Filter.where('owner', '==', 'u2')))
      .get();
    expect(ids(or)).toEqual(['b', 'c', 'f']);
    const nested = await q
      .where(
        Filter.and(
          Filter.where('type', 'in', ['LED', '4Relay']),
          Filter.or(Filter.where('owner', '==', 'u1'), Filter.where('price', '<', 5)),
        ),
      )
      .get();
    // The inequality on price adds an implicit order by price, so documents without price (d) drop out.
    expect(ids(nested)).toEqual(['g', 'a']);
  });

  it('supports several inequality fields with implicit ordering', async () => {
    const q = h.admin().collection('q');
    const snap = await q.where('n', '>', 0).where('price', '>', 6).get();
    expect(ids(snap)).toEqual(['a', 'b']);
  });
});

describe('ordering, cursors, offset, limit, projection', () => {
  it('orders across types in Firestore order and omits documents missing the field', async () => {
    const q = h.admin().collection('q');
    expect(ids(await q.orderBy('n').get())).toEqual(['g', 'f', 'a', 'b', 'c', 'd', 'e']);
    expect(ids(await q.orderBy('n', 'desc').get())).toEqual(['e', 'd', 'c', 'b', 'a', 'f', 'g']);
    expect(ids(await q.orderBy('type').orderBy('n', 'desc').get())).toEqual([
      'e',
      'a',
      'd',
      'b',
      'g',
      'c',
      'f',
    ]);
  });

  it('applies cursors, offset, limit and limitToLast', async () => {
    const db = h.admin();
    const q = db.collection('q').where('n', '>=', 1).orderBy('n');
    expect(ids(await q.startAt(2).get())).toEqual(['b', 'c', 'd']);
    expect(ids(await q.startAfter(2).get())).toEqual(['c', 'd']);
    expect(ids(await q.endAt(3).get())).toEqual(['a', 'b', 'c']);
    expect(ids(await q.endBefore(3).get())).toEqual(['a', 'b']);
    const bDoc = await db.doc('q/b').get();
    expect(ids(await q.startAfter(bDoc).get())).toEqual(['c', 'd']);
    expect(ids(await q.offset(1).limit(2).get())).toEqual(['b', 'c']);
    expect(ids(await q.limitToLast(2).get())).toEqual(['c', 'd']);
    expect(ids(await db.collection('q').orderBy(FieldPath.documentId()).startAt('f').get())).toEqual([
      'f',
      'g',
      'h',
    ]);
  });

  it('pages with offset and limit exactly like slicing the full order (ties broken by name)', async () => {
    const db = h.admin();
    const batch = db.batch();
    for (let i = 0; i < 200; i++)
      batch.set(db.doc(`paging/p${String(i).padStart(3, '0')}`), { v: (i * 37) % 23 });
    await batch.commit();
    const all = ids(await db.collection('paging').orderBy('v', 'desc').get());
    expect(all).toHaveLength(200);
    for (const [offset, limit] of [
      [0, 1],
      [7, 13],
      [150, 100],
      [0, 50],
    ]) {
      const page = ids(await db.collection('paging').orderBy('v', 'desc').offset(offset).limit(limit).get());
      expect(page).toEqual(all.slice(offset, offset + limit));
    }
  });

  it('projects selected fields', async () => {
    const snap = await h.admin().collection('q').where('type', '==', '4Relay').select('n').get();
    expect(snap.docs.map((d) => d.data())).toEqual([{ n: 1 }, { n: 'text' }]);
  });

  it('queries collection groups', async () => {
    const db = h.admin();
    await db.doc('devices/d1/commands/c1').set({ state: 'queued' });
    await db.doc('devices/d2/commands/c2').set({ state: 'acked' });
    await db.doc('other/x/commands/c3').set({ state: 'queued' });
    const all = await db.collectionGroup('commands').where('state', '==', 'queued').get();
    expect(all.docs.map((d) => d.ref.path)).toEqual(['devices/d1/commands/c1', 'other/x/commands/c3']);
  });
});

describe('partitions', () => {
  it('answers PartitionQuery with the whole query as one partition', async () => {
    const partitions = [];
    for await (const partition of h.admin().collectionGroup('q').getPartitions(4)) partitions.push(partition);
    expect(partitions).toHaveLength(1);
    expect((await partitions[0].toQuery().get()).size).toBe(8);
  });
});

describe('aggregations', () => {
  it('counts, sums and averages', async () => {
    const q = h.admin().collection('q');
    const snap = await q
      .where('type', 'in', ['4Relay', 'LED'])
      .aggregate({
        count: AggregateField.count(),
        total: AggregateField.sum('price'),
        mean: AggregateField.average('price'),
      })
      .get();
    expect(snap.data()).toEqual({ count: 6, total: 31.5, mean: 31.5 / 3 });
    const ints = await q
      .where('n', 'in', [1, 2])
      .aggregate({ total: AggregateField.sum('n') })
      .get();
    expect(ints.data().total).toBe(3);
    const none = await q
      .where('type', '==', 'none')
      .aggregate({ mean: AggregateField.average('n'), count: AggregateField.count() })
      .get();
    expect(none.data()).toEqual({ mean: null, count: 0 });
    expect((await q.limit(3).count().get()).data().count).toBe(3);
  });
});

describe('read time', () => {
  it('reads documents and queries as of a past read time', async () => {
    const db = h.admin();
    await db.doc('rt/a').set({ v: 1 });
    const { writeTime } = await db.doc('rt/b').set({ v: 1 });
    await db.doc('rt/a').update({ v: 2 });
    await db.doc('rt/c').set({ v: 1 });
    await db.doc('rt/b').delete();
    const past = await db.runTransaction(
      async (tx) => {
        const docs = await tx.get(db.collection('rt'));
        const one = await tx.get(db.doc('rt/a'));
        return { ids: ids(docs), a: one.get('v') };
      },
      { readOnly: true, readTime: writeTime },
    );
    expect(past).toEqual({ ids: ['a', 'b'], a: 1 });
    expect(ids(await db.collection('rt').get())).toEqual(['a', 'c']);
  });

  it('keeps Timestamp precision to the microsecond', async () => {
    const db = h.admin();
    const t = new Timestamp(1_700_000_000, 123_456_000);
    await db.doc('rt/time').set({ t });
    expect((await db.doc('rt/time').get()).get('t').isEqual(t)).toBe(true);
  });
});

describe('invalid queries', () => {
  it('rejects too many values for in / not-in', async () => {
    const q = h.admin().collection('q');
    const many = Array.from({ length: 31 }, (_, i) => i);
    const error = await expectCode(q.where('n', 'in', many).get(), 3);
    expect(error.message).toMatch(/up to 30/);
    await expectCode(q.where('n', 'not-in', many.slice(0, 11)).get(), 3);
  });

  it('rejects two array-contains filters and two not-in filters', async () => {
    const q = h.admin().collection('q');
    await expectCode(
      q.where('tags', 'array-contains', 'x').where('tags', 'array-contains-any', ['y']).get(),
      3,
    );
    await expectCode(q.where('type', 'not-in', ['LED']).where('owner', 'not-in', ['u1']).get(), 3);
  });
});
