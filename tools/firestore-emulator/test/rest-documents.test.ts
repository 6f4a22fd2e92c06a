import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, start } from '../src/index.ts';

// The v1 documents REST API with raw fetch, as curl, REST clients and ESP32 firmware libraries use it:
// get/patch (update masks, field masks, preconditions)/delete/createDocument/list (paging, orderBy, mask),
// :listCollectionIds, :batchWrite, :beginTransaction, :rollback, :runAggregationQuery. Production JSON shapes
// ({name, fields, createTime, updateTime}) and errors ({error: {code, message, status}} with its HTTP status).

// biome-ignore lint/suspicious/noExplicitAny: JSON responses are read loosely by the assertions.
type Json = Record<string, any>;

const PROJECT = 'demo-rest-documents';
const DOCS = `projects/${PROJECT}/databases/(default)/documents`;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await start({ host: '127.0.0.1', port: 0, projectId: PROJECT, quiet: true });
});

afterAll(async () => {
  await emulator?.stop();
});

async function call(method: string, path: string, body?: unknown, token: string | null = 'owner') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${emulator.url}/v1/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const fields = (record: Record<string, string | number | boolean>) =>
  Object.fromEntries(
    Object.entries(record).map(([k, v]) => [
      k,
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { booleanValue: v }
          : Number.isInteger(v)
            ? { integerValue: String(v) }
            : { doubleValue: v },
    ]),
  );

describe('documents', () => {
  it('creates with an id, refuses a second create with 409 ALREADY_EXISTS, and gets it back', async () => {
    const created = await call('POST', `${DOCS}/devices?documentId=ESP32_AA`, {
      fields: fields({ name: 'ห้องนั่งเล่น', relays: 4 }),
    });
    expect(created.status).toBe(200);
    expect(created.body.name).toBe(`${DOCS}/devices/ESP32_AA`);
    expect(created.body.fields).toEqual({ name: { stringValue: 'ห้องนั่งเล่น' }, relays: { integerValue: '4' } });
    expect(created.body.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(created.body.updateTime).toBe(created.body.createTime);
    const again = await call('POST', `${DOCS}/devices?documentId=ESP32_AA`, { fields: {} });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 409, status: 'ALREADY_EXISTS' });
    const got = await call('GET', `${DOCS}/devices/ESP32_AA`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    const masked = await call('GET', `${DOCS}/devices/ESP32_AA?mask.fieldPaths=relays`);
    expect(masked.body.fields).toEqual({ relays: { integerValue: '4' } });
  });

  it('creates with a generated id under a document, and answers 404 NOT_FOUND for a missing one', async () => {
    const created = await call('POST', `${DOCS}/devices/ESP32_AA/commands`, { fields: fields({ relay: 1 }) });
    expect(created.status).toBe(200);
    expect(created.body.name).toMatch(
      new RegExp(`^${DOCS.replace(/[()]/g, '\\$&')}/devices/ESP32_AA/commands/[A-Za-z0-9]{20}$`),
    );
    const missing = await call('GET', `${DOCS}/devices/NOPE`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 404, message: `Document "${DOCS}/devices/NOPE" not found.`, status: 'NOT_FOUND' },
    });
  });

  it('patches with an update mask (absent masked fields are deleted), returning only mask.fieldPaths', async () => {
    await call('PATCH', `${DOCS}/settings/s1`, { fields: fields({ a: 1, b: 2, c: 3 }) });
    const patched = await call(
      'PATCH',
      `${DOCS}/settings/s1?updateMask.fieldPaths=a&updateMask.fieldPaths=c&mask.fieldPaths=a&mask.fieldPaths=b`,
      { fields: fields({ a: 10, b: 99 }) },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.fields).toEqual({ a: { integerValue: '10' }, b: { integerValue: '2' } });
    const full = await call('GET', `${DOCS}/settings/s1`);
    expect(full.body.fields).toEqual({ a: { integerValue: '10' }, b: { integerValue: '2' } });
  });

  it('patch without a mask replaces the document, and creates it when absent', async () => {
    await call('PATCH', `${DOCS}/settings/s2`, { fields: fields({ a: 1, b: 2 }) });
    const replaced = await call('PATCH', `${DOCS}/settings/s2`, { fields: fields({ z: true }) });
    expect(replaced.body.fields).toEqual({ z: { booleanValue: true } });
  });

  it('honours currentDocument preconditions on patch and delete', async () => {
    const notThere = await call('PATCH', `${DOCS}/settings/none?currentDocument.exists=true`, {
      fields: fields({ a: 1 }),
    });
    expect(notThere.status).toBe(404);
    expect(notThere.body.error.status).toBe('NOT_FOUND');
    const made = await call('PATCH', `${DOCS}/settings/s3?currentDocument.exists=false`, {
      fields: fields({ a: 1 }),
    });
    expect(made.status).toBe(200);
    const twice = await call('PATCH', `${DOCS}/settings/s3?currentDocument.exists=false`, {
      fields: fields({ a: 2 }),
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.status).toBe('ALREADY_EXISTS');
    const stale = await call('PATCH', `${DOCS}/settings/s3?currentDocument.updateTime=2000-01-01T00:00:00Z`, {
      fields: fields({ a: 3 }),
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error.status).toBe('FAILED_PRECONDITION');
    const fresh = await call(
      'PATCH',
      `${DOCS}/settings/s3?currentDocument.updateTime=${encodeURIComponent(made.body.updateTime)}`,
      { fields: fields({ a: 4 }) },
    );
    expect(fresh.status).toBe(200);
    const staleDelete = await call(
      'DELETE',
      `${DOCS}/settings/s3?currentDocument.updateTime=2000-01-01T00:00:00Z`,
    );
    expect(staleDelete.status).toBe(400);
    const deleted = await call('DELETE', `${DOCS}/settings/s3?currentDocument.exists=true`);
    expect(deleted).toEqual({ status: 200, body: {} });
    expect((await call('GET', `${DOCS}/settings/s3`)).status).toBe(404);
    expect((await call('DELETE', `${DOCS}/settings/s3?currentDocument.exists=true`)).status).toBe(404);
    expect((await call('DELETE', `${DOCS}/settings/s3`)).status).toBe(200);
  });

  it('answers 400 INVALID_ARGUMENT for bad JSON and bad values', async () => {
    const response = await fetch(`${emulator.url}/v1/${DOCS}/settings/bad`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer owner' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error.status).toBe('INVALID_ARGUMENT');
    const badBool = await call('DELETE', `${DOCS}/settings/x?currentDocument.exists=maybe`);
    expect(badBool.status).toBe(400);
    const badTime = await call('PATCH', `${DOCS}/settings/x`, {
      fields: { t: { timestampValue: 'yesterday' } },
    });
    expect(badTime.status).toBe(400);
  });
});

describe('list', () => {
  beforeAll(async () => {
    for (const [id, n] of [
      ['d', 4],
      ['b', 2],
      ['a', 3],
      ['c', 1],
      ['e', 5],
    ] as const)
      await call('PATCH', `${DOCS}/items/${id}`, { fields: fields({ n, label: `item ${id}` }) });
  });

  it('pages by name with pageSize and pageToken', async () => {
    const first = await call('GET', `${DOCS}/items?pageSize=2`);
    expect(first.body.documents.map((d: Json) => d.name.split('/').pop())).toEqual(['a', 'b']);
    expect(typeof first.body.nextPageToken).toBe('string');
    const second = await call(
      'GET',
      `${DOCS}/items?pageSize=2&pageToken=${encodeURIComponent(first.body.nextPageToken)}`,
    );
    expect(second.body.documents.map((d: Json) => d.name.split('/').pop())).toEqual(['c', 'd']);
    const third = await call(
      'GET',
      `${DOCS}/items?pageSize=2&pageToken=${encodeURIComponent(second.body.nextPageToken)}`,
    );
    expect(third.body.documents.map((d: Json) => d.name.split('/').pop())).toEqual(['e']);
    expect(third.body.nextPageToken).toBeUndefined();
  });

  it('orders by a field (desc) and masks fields', async () => {
    const listed = await call('GET', `${DOCS}/items?orderBy=n%20desc&mask.fieldPaths=n&pageSize=3`);
    expect(listed.body.documents.map((d: Json) => d.fields.n.integerValue)).toEqual(['5', '4', '3']);
    expect(Object.keys(listed.body.documents[0].fields)).toEqual(['n']);
    const bad = await call('GET', `${DOCS}/items?orderBy=n%20sideways`);
    expect(bad.status).toBe(400);
  });

  it('answers an empty collection with no documents', async () => {
    const empty = await call('GET', `${DOCS}/nothing-here`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({});
  });
});

describe('custom methods', () => {
  it(':listCollectionIds at the root and under a document', async () => {
    const root = await call('POST', `${DOCS}:listCollectionIds`, {});
    expect(root.body.collectionIds).toEqual(expect.arrayContaining(['devices', 'items', 'settings']));
    const under = await call('POST', `${DOCS}/devices/ESP32_AA:listCollectionIds`, { pageSize: 10 });
    expect(under.body.collectionIds).toEqual(['commands']);
    const denied = await call('POST', `${DOCS}:listCollectionIds`, {}, null);
    expect(denied.status).toBe(403);
  });

  it(':batchWrite applies each write on its own, with a status per write', async () => {
    const result = await call('POST', `${DOCS}:batchWrite`, {
      writes: [
        { update: { name: `${DOCS}/batch/one`, fields: fields({ v: 1 }) } },
        {
          update: { name: `${DOCS}/batch/two`, fields: fields({ v: 2 }) },
          currentDocument: { exists: true },
        },
        { delete: `${DOCS}/batch/three` },
      ],
    });
    expect(result.status).toBe(200);
    expect(result.body.status.map((s: Json) => s.code ?? 0)).toEqual([0, 5, 0]);
    expect(result.body.status[0]).toEqual({});
    expect(result.body.writeResults[0].updateTime).toBeDefined();
    expect((await call('GET', `${DOCS}/batch/one`)).status).toBe(200);
    expect((await call('GET', `${DOCS}/batch/two`)).status).toBe(404);
  });

  it(':beginTransaction, a transactional get, and :rollback', async () => {
    const begun = await call('POST', `${DOCS}:beginTransaction`, { options: { readWrite: {} } });
    expect(typeof begun.body.transaction).toBe('string');
    const read = await call(
      'GET',
      `${DOCS}/items/a?transaction=${encodeURIComponent(begun.body.transaction)}`,
    );
    expect(read.body.fields.n).toEqual({ integerValue: '3' });
    const rolledBack = await call('POST', `${DOCS}:rollback`, { transaction: begun.body.transaction });
    expect(rolledBack).toEqual({ status: 200, body: {} });
    const again = await call('POST', `${DOCS}:rollback`, { transaction: begun.body.transaction });
    expect(again.status).toBe(400);
    expect(again.body.error.status).toBe('INVALID_ARGUMENT');
  });

  it(':runAggregationQuery counts and sums', async () => {
    const result = await call('POST', `${DOCS}:runAggregationQuery`, {
      structuredAggregationQuery: {
        structuredQuery: { from: [{ collectionId: 'items' }] },
        aggregations: [
          { alias: 'total', count: {} },
          { alias: 'sum', sum: { field: { fieldPath: 'n' } } },
        ],
      },
    });
    expect(result.status).toBe(200);
    expect(result.body[0].result.aggregateFields).toEqual({
      total: { integerValue: '5' },
      sum: { integerValue: '15' },
    });
    expect(result.body[0].readTime).toBeDefined();
  });
});

describe('security rules over REST', () => {
  it('applies rules to ID-token callers and none to the owner token', async () => {
    emulator.service.setRules(
      PROJECT,
      `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /profiles/{uid} {
      allow read, write: if request.auth.uid == uid;
    }
  }
}`,
    );
    const token = (uid: string) =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: uid })).toString('base64url')}.`;
    try {
      expect(
        (await call('PATCH', `${DOCS}/profiles/ann`, { fields: fields({ n: 1 }) }, token('ann'))).status,
      ).toBe(200);
      const denied = await call('GET', `${DOCS}/profiles/ann`, undefined, token('bob'));
      expect(denied.status).toBe(403);
      expect(denied.body.error.status).toBe('PERMISSION_DENIED');
      expect((await call('GET', `${DOCS}/profiles/ann`, undefined, null)).status).toBe(403);
      expect((await call('GET', `${DOCS}/profiles/ann`)).status).toBe(200);
    } finally {
      emulator.service.setAuthorizer(PROJECT, { authorize: () => ({ allowed: true }) });
    }
  });
});
