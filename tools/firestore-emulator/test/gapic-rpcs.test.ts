import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, type Harness, PROJECT, startHarness } from './helpers.ts';

// The RPCs the high-level SDKs do not reach (or validate away client-side), through the official low-level
// client that ships with firebase-admin: @google-cloud/firestore's v1.FirestoreClient (GAPIC, gRPC).

const require = createRequire(import.meta.url);
const { v1 } = require('@google-cloud/firestore');
const gax = require(require.resolve('google-gax', { paths: [require.resolve('@google-cloud/firestore')] }));

let h: Harness;
// biome-ignore lint/suspicious/noExplicitAny: the GAPIC client is untyped through require().
let client: any;
const DB = `projects/${PROJECT}/databases/(default)`;
const ROOT = `${DB}/documents`;
const admin = { otherArgs: { headers: { Authorization: 'Bearer owner' } } };

beforeAll(async () => {
  h = await startHarness();
  client = new v1.FirestoreClient({
    servicePath: '127.0.0.1',
    port: h.emulator.port,
    sslCreds: gax.grpc.credentials.createInsecure(),
    projectId: PROJECT,
  });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('document RPCs', () => {
  it('creates (explicit and generated ids), gets with a mask, updates with a mask and deletes', async () => {
    const [created] = await client.createDocument({
      parent: ROOT,
      collectionId: 'raw',
      documentId: 'one',
      document: { fields: { a: { integerValue: 1 }, b: { stringValue: 'x' } } },
    });
    expect(created.name).toBe(`${ROOT}/raw/one`);
    const [generated] = await client.createDocument({
      parent: ROOT,
      collectionId: 'raw',
      document: { fields: {} },
    });
    expect(generated.name.startsWith(`${ROOT}/raw/`)).toBe(true);
    expect(generated.name.split('/').pop()).toMatch(/^[A-Za-z0-9]{20}$/);
    await expectCode(
      client.createDocument({
        parent: ROOT,
        collectionId: 'raw',
        documentId: 'one',
        document: { fields: {} },
      }),
      6,
    );

    const [masked] = await client.getDocument({ name: `${ROOT}/raw/one`, mask: { fieldPaths: ['b'] } });
    expect(Object.keys(masked.fields)).toEqual(['b']);
    await expectCode(client.getDocument({ name: `${ROOT}/raw/none` }), 5);

    const [updated] = await client.updateDocument({
      document: {
        name: `${ROOT}/raw/one`,
        fields: { a: { integerValue: 2 }, ignored: { booleanValue: true } },
      },
      updateMask: { fieldPaths: ['a', 'b'] },
      currentDocument: { exists: true },
    });
    expect(updated.fields.a.integerValue).toBe('2');
    expect(updated.fields.b).toBeUndefined();
    expect(updated.fields.ignored).toBeUndefined();
    await expectCode(
      client.updateDocument({
        document: { name: `${ROOT}/raw/none`, fields: {} },
        currentDocument: { exists: true },
      }),
      5,
    );

    await client.deleteDocument({ name: `${ROOT}/raw/one`, currentDocument: { exists: true } });
    await expectCode(
      client.deleteDocument({ name: `${ROOT}/raw/one`, currentDocument: { exists: true } }),
      5,
    );
  });

  it('pages through ListDocuments and ListCollectionIds', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      await client.createDocument({
        parent: ROOT,
        collectionId: 'paged',
        documentId: id,
        document: { fields: {} },
      });
    }
    const [page, nextRequest] = await client.listDocuments(
      { parent: ROOT, collectionId: 'paged', pageSize: 2 },
      { autoPaginate: false },
    );
    expect(page.map((d: { name: string }) => d.name.split('/').pop())).toEqual(['a', 'b']);
    const [rest] = await client.listDocuments(nextRequest, { autoPaginate: true });
    expect(rest.map((d: { name: string }) => d.name.split('/').pop())).toEqual(['c', 'd', 'e']);

    await client.createDocument({
      parent: `${ROOT}/paged/a`,
      collectionId: 'x',
      documentId: '1',
      document: {},
    });
    await client.createDocument({
      parent: `${ROOT}/paged/a`,
      collectionId: 'y',
      documentId: '1',
      document: {},
    });
    const [ids] = await client.listCollectionIds({ parent: `${ROOT}/paged/a` }, admin);
    expect(ids).toEqual(['x', 'y']);
  });
});

describe('transforms the SDKs do not expose', () => {
  it('applies maximum and minimum', async () => {
    const name = `${ROOT}/raw/minmax`;
    await client.commit({
      database: DB,
      writes: [
        {
          update: {
            name,
            fields: { hi: { integerValue: 5 }, lo: { doubleValue: 5 }, fresh: { stringValue: 'x' } },
          },
        },
      ],
    });
    const [result] = await client.commit({
      database: DB,
      writes: [
        {
          transform: {
            document: name,
            fieldTransforms: [
              { fieldPath: 'hi', maximum: { integerValue: 9 } },
              { fieldPath: 'lo', minimum: { integerValue: 2 } },
              { fieldPath: 'fresh', maximum: { doubleValue: 1.5 } },
            ],
          },
        },
      ],
    });
    expect(result.writeResults[0].transformResults.map((v: { valueType: string }) => v.valueType)).toEqual([
      'integerValue',
      'integerValue',
      'doubleValue',
    ]);
    const [doc] = await client.getDocument({ name });
    expect(doc.fields.hi.integerValue).toBe('9');
    expect(doc.fields.lo.integerValue).toBe('2');
    expect(doc.fields.fresh.doubleValue).toBe(1.5);
  });
});

describe('transaction RPCs', () => {
  it('begins, rolls back, and refuses an unknown transaction', async () => {
    const [{ transaction }] = await client.beginTransaction({ database: DB });
    expect(transaction.length).toBeGreaterThan(0);
    await client.rollback({ database: DB, transaction });
    const error = await expectCode(client.commit({ database: DB, transaction, writes: [] }), 3);
    expect(error.message).toMatch(/transaction has expired/);
  });

  it('refuses writes in a read-only transaction', async () => {
    const [{ transaction }] = await client.beginTransaction({ database: DB, options: { readOnly: {} } });
    await expectCode(
      client.commit({
        database: DB,
        transaction,
        writes: [{ update: { name: `${ROOT}/raw/ro`, fields: {} } }],
      }),
      3,
    );
  });
});

describe('invalid queries the SDKs would catch first', () => {
  const run = (structuredQuery: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const stream = client.runQuery({ parent: ROOT, structuredQuery });
      stream.on('data', () => {});
      stream.on('error', reject);
      stream.on('end', resolve);
    });

  it('rejects more cursor values than orders, non-reference __name__ values and negative limits', async () => {
    const from = [{ collectionId: 'raw' }];
    await expectCode(
      run({
        from,
        orderBy: [{ field: { fieldPath: 'a' } }],
        startAt: { values: [{ integerValue: 1 }, { referenceValue: `${ROOT}/raw/x` }, { integerValue: 3 }] },
      }),
      3,
    );
    await expectCode(
      run({
        from,
        where: {
          fieldFilter: { field: { fieldPath: '__name__' }, op: 'EQUAL', value: { stringValue: 'x' } },
        },
      }),
      3,
    );
    await expectCode(run({ from, limit: { value: -1 } }), 3);
    await expectCode(run({ from, where: { compositeFilter: { op: 'AND', filters: [] } } }), 3);
    await expectCode(
      run({
        from,
        where: {
          fieldFilter: { field: { fieldPath: 'a' }, op: 'LESS_THAN', value: { nullValue: 'NULL_VALUE' } },
        },
      }),
      3,
    );
    await expectCode(run({ from: [] }), 3);
  });
});
