import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, type Harness, startHarness } from './helpers.ts';

// Transactions through firebase-admin: serializable read-modify-write under contention, ABORTED on a
// conflicting write, read-only snapshots, rollback, and expiry of abandoned transactions.

const TIMEOUT_MS = 800;
let h: Harness;
let db: Firestore;
beforeAll(async () => {
  h = await startHarness({ transactionTimeoutMs: TIMEOUT_MS });
  db = h.admin();
});
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('read-write transactions', () => {
  it('makes concurrent transactional increments exact', async () => {
    const ref = db.doc('counters/shared');
    await ref.set({ value: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.runTransaction(async (tx) => {
          const snap = await tx.get(ref);
          tx.update(ref, { value: snap.get('value') + 1 });
        }),
      ),
    );
    expect((await ref.get()).get('value')).toBe(20);
  });

  it('moves value between documents without losing any (two locks per transaction)', async () => {
    const a = db.doc('accounts/a');
    const b = db.doc('accounts/b');
    await a.set({ balance: 100 });
    await b.set({ balance: 100 });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        db.runTransaction(async (tx) => {
          const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
          const [fromSnap, toSnap] = await tx.getAll(from, to);
          tx.update(from, { balance: fromSnap.get('balance') - 5 });
          tx.update(to, { balance: toSnap.get('balance') + 5 });
        }),
      ),
    );
    const [sa, sb] = await db.getAll(a, b);
    expect(sa.get('balance') + sb.get('balance')).toBe(200);
    expect(sa.get('balance')).toBe(100);
  });

  it('aborts a transaction whose read was overwritten (ABORTED), and the SDK retry then succeeds', async () => {
    const ref = db.doc('conflict/doc');
    await ref.set({ v: 1 });
    const failed = db.runTransaction(
      async (tx) => {
        const snap = await tx.get(ref);
        await db.doc('conflict/doc').set({ v: 100 }); // a write outside the transaction
        tx.update(ref, { v: snap.get('v') + 1 });
      },
      { maxAttempts: 1 },
    );
    await expectCode(failed, 10);
    expect((await ref.get()).get('v')).toBe(100);

    let attempts = 0;
    await db.runTransaction(async (tx) => {
      attempts++;
      const snap = await tx.get(ref);
      if (attempts === 1) await db.doc('conflict/doc').set({ v: 200 });
      tx.update(ref, { v: snap.get('v') + 1 });
    });
    expect(attempts).toBe(2);
    expect((await ref.get()).get('v')).toBe(201);
  });

  it('applies nothing when the update function throws (rollback) and frees the document', async () => {
    const ref = db.doc('rollback/doc');
    await ref.set({ v: 1 });
    await expect(
      db.runTransaction(async (tx) => {
        await tx.get(ref);
        tx.update(ref, { v: 2 });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      tx.update(ref, { v: snap.get('v') + 10 });
    });
    expect((await ref.get()).get('v')).toBe(11);
  });

  it('fails a transactional create of an existing document with ALREADY_EXISTS', async () => {
    const ref = db.doc('txcreate/doc');
    await ref.set({ v: 1 });
    await expectCode(
      db.runTransaction(async (tx) => {
        await tx.get(db.doc('txcreate/other'));
        tx.create(ref, { v: 2 });
      }),
      6,
    );
  });

  it('reads queries inside a transaction', async () => {
    await db.doc('txquery/a').set({ open: true, n: 1 });
    await db.doc('txquery/b').set({ open: true, n: 2 });
    const total = await db.runTransaction(async (tx) => {
      const snap = await tx.get(db.collection('txquery').where('open', '==', true));
      let sum = 0;
      for (const doc of snap.docs) {
        sum += doc.get('n');
        tx.update(doc.ref, { open: false });
      }
      return sum;
    });
    expect(total).toBe(3);
    expect((await db.collection('txquery').where('open', '==', true).get()).size).toBe(0);
  });
});

describe('read-only transactions', () => {
  it('reads one consistent snapshot even while others write', async () => {
    await db.doc('ro/a').set({ v: 1 });
    await db.doc('ro/b').set({ v: 1 });
    const seen = await db.runTransaction(
      async (tx) => {
        const a = await tx.get(db.doc('ro/a'));
        await db.doc('ro/a').set({ v: 2 });
        await db.doc('ro/b').set({ v: 2 });
        const b = await tx.get(db.doc('ro/b'));
        const again = await tx.get(db.doc('ro/a'));
        return [a.get('v'), b.get('v'), again.get('v')];
      },
      { readOnly: true },
    );
    expect(seen).toEqual([1, 1, 1]);
  });

  it('does not block writers', async () => {
    await db.doc('ro/c').set({ v: 1 });
    await db.runTransaction(
      async (tx) => {
        await tx.get(db.doc('ro/c'));
        await db.doc('ro/c').update({ v: 2 });
      },
      { readOnly: true },
    );
    expect((await db.doc('ro/c').get()).get('v')).toBe(2);
  });
});

describe('expiry', () => {
  it('expires an abandoned transaction and releases its locks', async () => {
    const ref = db.doc('expiry/doc');
    await ref.set({ v: 1 });
    let releaseAbandoned: () => void = () => {};
    const abandoned = db.runTransaction(
      async (tx) => {
        await tx.get(ref);
        await new Promise<void>((resolve) => {
          releaseAbandoned = resolve;
        });
        tx.update(ref, { v: 'late' });
      },
      { maxAttempts: 1 },
    );
    await sleep(50);
    // A younger transaction waits for the lock until the abandoned one expires, then succeeds.
    await db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      tx.update(ref, { v: snap.get('v') + 1 });
    });
    expect((await ref.get()).get('v')).toBe(2);
    releaseAbandoned();
    const error = await expectCode(abandoned, 3);
    expect(error.message).toMatch(/transaction has expired/);
    expect((await ref.get()).get('v')).toBe(2);
  });
});
