import { FieldPath, FieldValue, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, type Harness, startHarness } from './helpers.ts';

// Documents through firebase-admin: values, writes, preconditions, transforms, limits, listing, isolation.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('values', () => {
  it('round-trips every Firestore type', async () => {
    const db = h.admin();
    const ref = db.doc('values/all');
    const when = Timestamp.fromMillis(1_700_000_000_123);
    await ref.set({
      nil: null,
      yes: true,
      int: 42,
      big: 9_007_199_254_740_991,
      double: 3.5,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      when,
      text: 'ห้องนั่งเล่น 🏠',
      bytes: Buffer.from([0, 1, 2, 255]),
      ref: db.doc('devices/ESP32_AA5510'),
      geo: new GeoPoint(13.75, 100.5),
      list: [1, 'two', [3], { four: 4 }],
      map: { nested: { deep: [true, null] } },
      vector: FieldValue.vector([1, 2, 3]),
    });
    const data = (await ref.get()).data()!;
    expect(data.nil).toBeNull();
    expect(data.yes).toBe(true);
    expect(data.int).toBe(42);
    expect(data.big).toBe(9_007_199_254_740_991);
    expect(data.double).toBe(3.5);
    expect(Number.isNaN(data.nan)).toBe(true);
    expect(data.inf).toBe(Number.POSITIVE_INFINITY);
    expect(data.when.isEqual(when)).toBe(true);
    expect(data.text).toBe('ห้องนั่งเล่น 🏠');
    expect(Buffer.from(data.bytes).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(data.ref.path).toBe('devices/ESP32_AA5510');
    expect(data.geo.isEqual(new GeoPoint(13.75, 100.5))).toBe(true);
    expect(data.list).toEqual([1, 'two', [3], { four: 4 }]);
    expect(data.map).toEqual({ nested: { deep: [true, null] } });
    expect(data.vector.toArray()).toEqual([1, 2, 3]);
  });

  it('handles field names that need backticks', async () => {
    const db = h.admin();
    const ref = db.doc('values/paths');
    await ref.set({ 'a.b': 1, 'with space': { 'x-y': 2 }, plain: { inner: 3 } });
    await ref.update(new FieldPath('a.b'), 10, new FieldPath('with space', 'x-y'), 20, 'plain.inner', 30);
    expect((await ref.get()).data()).toEqual({
      'a.b': 10,
      'with space': { 'x-y': 20 },
      plain: { inner: 30 },
    });
    expect((await ref.get()).get(new FieldPath('with space', 'x-y'))).toBe(20);
  });
});

describe('writes', () => {
  it('creates, reads, updates, merges and deletes', async () => {
    const db = h.admin();
    const ref = db.collection('devices').doc('ESP32_000001');
    const created = await ref.create({
      status: 'available',
      state: { online: false, outputs: [false, false] },
    });
    const snap = await ref.get();
    expect(snap.exists).toBe(true);
    expect(snap.createTime!.isEqual(created.writeTime)).toBe(true);
    await ref.update({ status: 'registered', 'state.online': true });
    await ref.set({ desired: { outputs: [true, false] } }, { merge: true });
    expect((await ref.get()).data()).toEqual({
      status: 'registered',
      state: { online: true, outputs: [false, false] },
      desired: { outputs: [true, false] },
    });
    await ref.set({ replaced: true });
    expect((await ref.get()).data()).toEqual({ replaced: true });
    await ref.update({ replaced: FieldValue.delete(), other: 1 });
    expect((await ref.get()).data()).toEqual({ other: 1 });
    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
  });

  it('keeps createTime and reports updateTime', async () => {
    const db = h.admin();
    const ref = db.doc('times/one');
    const first = await ref.set({ n: 1 });
    const second = await ref.set({ n: 2 });
    expect(second.writeTime.toMillis()).toBeGreaterThanOrEqual(first.writeTime.toMillis());
    const snap = await ref.get();
    expect(snap.createTime!.isEqual(first.writeTime)).toBe(true);
    expect(snap.updateTime!.isEqual(second.writeTime)).toBe(true);
  });

  it('fails create of an existing document with ALREADY_EXISTS', async () => {
    const db = h.admin();
    await db.doc('errors/exists').set({ a: 1 });
    await expectCode(db.doc('errors/exists').create({ a: 2 }), 6);
    expect((await db.doc('errors/exists').get()).get('a')).toBe(1);
  });

  it('fails update of a missing document with NOT_FOUND', async () => {
    const db = h.admin();
    await expectCode(db.doc('errors/missing').update({ a: 1 }), 5);
    expect((await db.doc('errors/missing').get()).exists).toBe(false);
  });

  it('checks update-time preconditions (FAILED_PRECONDITION)', async () => {
    const db = h.admin();
    const ref = db.doc('errors/precondition');
    const { writeTime } = await ref.set({ v: 1 });
    await ref.update({ v: 2 }, { lastUpdateTime: writeTime });
    await expectCode(ref.update({ v: 3 }, { lastUpdateTime: writeTime }), 9);
    await expectCode(ref.delete({ lastUpdateTime: writeTime }), 9);
    expect((await ref.get()).get('v')).toBe(2);
    await ref.delete({ exists: true });
    await expectCode(ref.delete({ exists: true }), 5);
  });

  it('applies every field transform', async () => {
    const db = h.admin();
    const ref = db.doc('transforms/t');
    await ref.set({ count: 1, total: 1.5, tags: ['a', 'b'] });
    const before = Date.now();
    await ref.update({
      count: FieldValue.increment(2),
      total: FieldValue.increment(1),
      fresh: FieldValue.increment(5),
      tags: FieldValue.arrayUnion('b', 'c', 'c'),
      at: FieldValue.serverTimestamp(),
      'nested.at': FieldValue.serverTimestamp(),
    });
    let data = (await ref.get()).data()!;
    expect(data.count).toBe(3);
    expect(data.total).toBe(2.5);
    expect(data.fresh).toBe(5);
    expect(data.tags).toEqual(['a', 'b', 'c']);
    expect(data.at.toMillis()).toBeGreaterThanOrEqual(before - 1000);
    expect(data.nested.at.isEqual(data.at)).toBe(true);
    await ref.update({ tags: FieldValue.arrayRemove('a', 'zzz') });
    data = (await ref.get()).data()!;
    expect(data.tags).toEqual(['b', 'c']);
  });

  it('saturates integer increments at the int64 bounds', async () => {
    const db = h.admin();
    db.settings({ useBigInt: true });
    const ref = db.doc('transforms/saturate');
    await ref.set({ n: 2n ** 63n - 2n, m: -(2n ** 63n) + 1n });
    await ref.update({ n: FieldValue.increment(5), m: FieldValue.increment(-5) });
    expect((await ref.get()).data()).toEqual({ n: 2n ** 63n - 1n, m: -(2n ** 63n) });
  });

  it('rejects documents over 1 MiB with INVALID_ARGUMENT', async () => {
    const db = h.admin();
    const error = await expectCode(db.doc('limits/big').set({ blob: 'x'.repeat(1_048_600) }), 3);
    expect(error.message).toMatch(/exceeds the maximum allowed size of 1,048,576 bytes/);
    expect((await db.doc('limits/big').get()).exists).toBe(false);
  });

  it('rejects reserved document ids and over-long field names with INVALID_ARGUMENT', async () => {
    const db = h.admin();
    await expectCode(db.doc('limits/__reserved__').set({ v: 1 }), 3);
    await expectCode(db.doc('limits/long').set({ ['f'.repeat(1501)]: 1 }), 3);
    expect((await db.doc('limits/long').get()).exists).toBe(false);
  });

  it('applies a batch atomically: one failing write applies nothing', async () => {
    const db = h.admin();
    await db.doc('batch/existing').set({ v: 1 });
    const batch = db.batch();
    batch.set(db.doc('batch/new'), { v: 1 });
    batch.update(db.doc('batch/existing'), { v: 2 });
    batch.create(db.doc('batch/existing'), { v: 3 });
    await expectCode(batch.commit(), 6);
    expect((await db.doc('batch/new').get()).exists).toBe(false);
    expect((await db.doc('batch/existing').get()).get('v')).toBe(1);
  });

  it('applies several writes to one document in order within a batch', async () => {
    const db = h.admin();
    const batch = db.batch();
    batch.set(db.doc('batch/seq'), { a: 1 });
    batch.update(db.doc('batch/seq'), { b: FieldValue.increment(2) });
    batch.update(db.doc('batch/seq'), { a: FieldValue.increment(1) });
    const results = await batch.commit();
    expect(results).toHaveLength(3);
    expect((await db.doc('batch/seq').get()).data()).toEqual({ a: 2, b: 2 });
  });

  it('runs BulkWriter (BatchWrite) with per-write status', async () => {
    const db = h.admin();
    await db.doc('bulk/exists').set({ v: 0 });
    const writer = db.bulkWriter();
    writer.onWriteError(() => false);
    const ok = writer.set(db.doc('bulk/a'), { v: 1 });
    const bad = writer.create(db.doc('bulk/exists'), { v: 2 });
    const ok2 = writer.update(db.doc('bulk/exists'), { v: 3 });
    const outcome = Promise.allSettled([ok, bad, ok2]);
    await writer.close();
    const [first, second, third] = await outcome;
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 6 } });
    expect(third.status).toBe('fulfilled');
    expect((await db.doc('bulk/exists').get()).get('v')).toBe(3);
    expect((await db.doc('bulk/a').get()).get('v')).toBe(1);
  });
});

describe('reads', () => {
  it('gets many documents at once with a field mask', async () => {
    const db = h.admin();
    await db.doc('many/1').set({ a: 1, b: 1 });
    await db.doc('many/2').set({ a: 2, b: 2 });
    const [one, missing, two] = await db.getAll(db.doc('many/1'), db.doc('many/none'), db.doc('many/2'), {
      fieldMask: ['a'],
    });
    expect(one.data()).toEqual({ a: 1 });
    expect(missing.exists).toBe(false);
    expect(two.data()).toEqual({ a: 2 });
  });

  it('lists documents (including missing parents) and collection ids', async () => {
    const db = h.admin();
    await db.doc('tree/p1').set({});
    await db.doc('tree/ghost/children/c1').set({ v: 1 });
    await db.doc('tree/p1/logs/l1').set({});
    await db.doc('tree/p1/commands/c1').set({});
    const refs = await db.collection('tree').listDocuments();
    expect(refs.map((r) => r.id).sort()).toEqual(['ghost', 'p1']);
    const collections = await db.doc('tree/p1').listCollections();
    expect(collections.map((c) => c.id).sort()).toEqual(['commands', 'logs']);
    const roots = await db.listCollections();
    expect(roots.map((c) => c.id)).toContain('tree');
  });

  it('deletes a whole tree with recursiveDelete', async () => {
    const db = h.admin();
    await db.doc('gone/a').set({});
    await db.doc('gone/a/sub/b').set({});
    await db.recursiveDelete(db.collection('gone'));
    expect((await db.collection('gone').get()).size).toBe(0);
    expect((await db.doc('gone/a/sub/b').get()).exists).toBe(false);
  });
});

describe('isolation', () => {
  it('keeps projects and databases apart', async () => {
    const a = h.admin('demo-project-a');
    const b = h.admin('demo-project-b');
    const other = h.admin('demo-project-a', 'other-db');
    await a.doc('iso/doc').set({ who: 'a' });
    await b.doc('iso/doc').set({ who: 'b' });
    await other.doc('iso/doc').set({ who: 'other' });
    expect((await a.doc('iso/doc').get()).get('who')).toBe('a');
    expect((await b.doc('iso/doc').get()).get('who')).toBe('b');
    expect((await other.doc('iso/doc').get()).get('who')).toBe('other');
  });
});
