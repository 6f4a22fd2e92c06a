import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collection, onSnapshot, orderBy, query, where } from 'firebase/firestore';
import { FieldPath } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, type Harness, startHarness } from './helpers.ts';

// Strict index mode through firebase-admin and the web SDK: a query production could serve only from a
// composite index missing from firestore.indexes.json fails with FAILED_PRECONDITION naming the index to add;
// equality-only queries and single orders use single-field indexes; fieldOverrides exemptions and
// collection-group scopes are honoured; an OR query needs an index per disjunct.

const INDEXES = {
  indexes: [
    {
      collectionGroup: 'readings',
      queryScope: 'COLLECTION',
      fields: [
        { fieldPath: 'device_id', order: 'ASCENDING' },
        { fieldPath: 'at', order: 'DESCENDING' },
      ],
    },
    {
      collectionGroup: 'commands',
      queryScope: 'COLLECTION_GROUP',
      fields: [
        { fieldPath: 'status', order: 'ASCENDING' },
        { fieldPath: 'queued_at', order: 'ASCENDING' },
      ],
    },
  ],
  fieldOverrides: [
    { collectionGroup: 'readings', fieldPath: 'payload', indexes: [] },
    {
      collectionGroup: 'commands',
      fieldPath: 'status',
      indexes: [
        { order: 'ASCENDING', queryScope: 'COLLECTION' },
        { order: 'ASCENDING', queryScope: 'COLLECTION_GROUP' },
      ],
    },
  ],
};

const FAILED_PRECONDITION = 9;
let h: Harness;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'indexes-'));
  const file = path.join(dir, 'firestore.indexes.json');
  writeFileSync(file, JSON.stringify(INDEXES));
  h = await startHarness({ indexesFile: file, requireIndexes: true });
  const db = h.admin();
  for (let i = 0; i < 4; i++) {
    await db
      .doc(`readings/r${i}`)
      .set({ device_id: i % 2 ? 'A' : 'B', at: i, level: i * 10, payload: 'x', tags: ['t'] });
    await db.doc(`devices/D${i}/commands/c${i}`).set({ status: 'queued', queued_at: i, kind: 'relay' });
  }
});

afterAll(async () => {
  await h?.close();
});

describe('strict index mode', () => {
  it('runs equality-only queries and single orders from single-field indexes', async () => {
    const readings = h.admin().collection('readings');
    expect((await readings.where('device_id', '==', 'A').where('level', '==', 10).get()).size).toBe(1);
    expect(
      (await readings.where('device_id', 'in', ['A', 'B']).where('tags', 'array-contains', 't').get()).size,
    ).toBe(4);
    expect((await readings.orderBy('level', 'desc').get()).size).toBe(4);
    expect((await readings.where('level', '>', 5).get()).size).toBe(3);
    expect((await readings.where('level', '>', 5).orderBy('level').get()).size).toBe(3);
    expect((await readings.where(FieldPath.documentId(), '==', readings.doc('r1')).get()).size).toBe(1);
    expect((await readings.get()).size).toBe(4);
  });

  it('refuses equality + order on another field without a composite index, naming the index', async () => {
    const error = await expectCode(
      h.admin().collection('readings').where('device_id', '==', 'A').orderBy('level').get(),
      FAILED_PRECONDITION,
    );
    expect(error.message).toContain('The query requires an index');
    expect(error.message).toContain(
      '{"collectionGroup":"readings","queryScope":"COLLECTION","fields":[{"fieldPath":"device_id","order":"ASCENDING"},{"fieldPath":"level","order":"ASCENDING"}]}',
    );
    const range = await expectCode(
      h.admin().collection('readings').where('device_id', '==', 'A').where('level', '>', 3).get(),
      FAILED_PRECONDITION,
    );
    expect(range.message).toContain('"fieldPath":"level","order":"ASCENDING"');
    await expectCode(
      h.admin().collection('readings').orderBy('device_id').orderBy('level').get(),
      FAILED_PRECONDITION,
    );
  });

  it('serves a query from a defined composite index, forwards or fully reversed', async () => {
    const readings = h.admin().collection('readings');
    const desc = await readings.where('device_id', '==', 'A').orderBy('at', 'desc').get();
    expect(desc.docs.map((d) => d.id)).toEqual(['r3', 'r1']);
    const asc = await readings.where('device_id', '==', 'A').orderBy('at').get();
    expect(asc.docs.map((d) => d.id)).toEqual(['r1', 'r3']);
    expect(
      (await readings.where('device_id', '==', 'A').where('at', '<', 3).orderBy('at', 'desc').get()).size,
    ).toBe(1);
  });

  it('honours single-field exemptions', async () => {
    const error = await expectCode(
      h.admin().collection('readings').where('payload', '==', 'x').get(),
      FAILED_PRECONDITION,
    );
    expect(error.message).toContain('the single-field index on payload is exempted');
    expect(error.message).toContain('"fieldOverrides"');
  });

  it('needs COLLECTION_GROUP scope for collection-group queries', async () => {
    const db = h.admin();
    expect((await db.collectionGroup('commands').where('status', '==', 'queued').get()).size).toBe(4);
    expect(
      (await db.collectionGroup('commands').where('status', '==', 'queued').orderBy('queued_at').get()).size,
    ).toBe(4);
    const error = await expectCode(
      db.collectionGroup('commands').where('kind', '==', 'relay').get(),
      FAILED_PRECONDITION,
    );
    expect(error.message).toContain('COLLECTION_GROUP scope on kind');
    expect((await db.collectionGroup('commands').get()).size).toBe(4);
  });

  it('checks each disjunct of an OR query', async () => {
    const readings = h.admin().collection('readings');
    const { Filter } = await import('firebase-admin/firestore');
    expect(
      (
        await readings
          .where(Filter.or(Filter.where('device_id', '==', 'A'), Filter.where('level', '==', 0)))
          .get()
      ).size,
    ).toBe(3);
    await expectCode(
      readings
        .where(Filter.or(Filter.where('device_id', '==', 'A'), Filter.where('level', '>', 0)))
        .orderBy('at')
        .get(),
      FAILED_PRECONDITION,
    );
  });

  it('fails a web SDK listener with failed-precondition', async () => {
    const code = await new Promise<string>((resolve) => {
      onSnapshot(
        query(collection(h.web(), 'readings'), where('device_id', '==', 'A'), orderBy('level')),
        () => resolve('allowed'),
        (err) => resolve((err as { code: string }).code),
      );
    });
    expect(code).toBe('failed-precondition');
  });

  it('the project firestore.indexes.json is valid', () => {
    const file = path.join(import.meta.dirname, '../../../firestore.indexes.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(() => h.emulator.service.setIndexes('demo-validity', json)).not.toThrow();
  });
});
