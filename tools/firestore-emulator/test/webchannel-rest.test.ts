import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, start } from '../src/index.ts';
import { configureWebChannel } from '../src/webchannel/index.ts';

// The browser transports as served by start() on the emulator's one port: the WebChannel handshake through the
// HTTP/1.1 side, and the REST calls the web SDK makes for transactions and aggregations (proto3 JSON in and
// out, verify writes, errors in Google's JSON error shape).

// biome-ignore lint/suspicious/noExplicitAny: JSON responses are read loosely by the assertions.
type Message = Record<string, any>;

const PROJECT = 'demo-browser-rest';
const DATABASE = `projects/${PROJECT}/databases/(default)`;

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await start({ host: '127.0.0.1', port: 0, projectId: PROJECT, quiet: true });
});

afterAll(async () => {
  await emulator?.stop();
});

async function rest(path: string, body: unknown, token = 'owner') {
  const response = await fetch(`${emulator.url}/v1/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain',
      authorization: `Bearer ${token}`,
      origin: 'http://localhost:5173',
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Message,
  };
}

describe('browser transports on the emulator port', () => {
  it('opens a WebChannel session through start(), logging it when debug is on', async () => {
    const lines: string[] = [];
    configureWebChannel(emulator.service, { debug: true, log: (line) => lines.push(line) });
    const first = encodeURIComponent(JSON.stringify({ database: DATABASE }));
    const response = await fetch(
      `${emulator.url}/google.firestore.v1.Firestore/Write/channel?database=${encodeURIComponent(DATABASE)}&VER=8&RID=1&CVER=22&t=1`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `count=1&ofs=0&req0___data__=${first}`,
      },
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^\d+\n\[\[0,\["c","[^"]+","",8,14,\d+\]\]\]$/);
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({
        event: 'session.open',
        method: 'Write',
        database: DATABASE,
        caller: 'anonymous',
      }),
    );
    configureWebChannel(emulator.service, { debug: false });
  });

  it('commits, reads back with batchGet and counts with runAggregationQuery, in proto3 JSON', async () => {
    const committed = await rest(`${DATABASE}/documents:commit`, {
      writes: [
        {
          update: {
            name: `${DATABASE}/documents/items/a`,
            fields: { at: { timestampValue: '2025-05-06T07:08:09.123456Z' } },
          },
        },
        { update: { name: `${DATABASE}/documents/items/b`, fields: { n: { integerValue: '2' } } } },
      ],
    });
    expect(committed.status).toBe(200);
    expect(committed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(committed.body.commitTime).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(committed.body.writeResults).toHaveLength(2);

    const got = await rest(`${DATABASE}/documents:batchGet`, {
      documents: [`${DATABASE}/documents/items/a`, `${DATABASE}/documents/items/missing`],
    });
    expect(got.status).toBe(200);
    expect(Array.isArray(got.body)).toBe(true);
    const responses = got.body as unknown as Array<Message>;
    expect(responses[0]!.found.fields).toEqual({ at: { timestampValue: '2025-05-06T07:08:09.123456Z' } });
    expect(responses[1]!.missing).toBe(`${DATABASE}/documents/items/missing`);

    const counted = await rest(`${DATABASE}/documents:runAggregationQuery`, {
      structuredAggregationQuery: {
        structuredQuery: { from: [{ collectionId: 'items' }] },
        aggregations: [{ alias: 'aggregate_0', count: {} }],
      },
    });
    expect(counted.status).toBe(200);
    const [result] = counted.body as unknown as Array<Message>;
    expect(result!.result.aggregateFields).toEqual({ aggregate_0: { integerValue: '2' } });
  });

  it('checks verify writes: a changed document fails the commit with FAILED_PRECONDITION', async () => {
    await rest(`${DATABASE}/documents:commit`, {
      writes: [{ update: { name: `${DATABASE}/documents/tx/source`, fields: { n: { integerValue: '1' } } } }],
    });
    const [read] = (
      await rest(`${DATABASE}/documents:batchGet`, { documents: [`${DATABASE}/documents/tx/source`] })
    ).body as unknown as Array<Message>;
    const readTime = read!.found.updateTime as string;
    const commitWithVerify = (updateTime: string) =>
      rest(`${DATABASE}/documents:commit`, {
        writes: [
          { update: { name: `${DATABASE}/documents/tx/target`, fields: { n: { integerValue: '1' } } } },
          { verify: `${DATABASE}/documents/tx/source`, currentDocument: { updateTime } },
        ],
      });
    expect((await commitWithVerify(readTime)).status).toBe(200);

    await rest(`${DATABASE}/documents:commit`, {
      writes: [{ update: { name: `${DATABASE}/documents/tx/source`, fields: { n: { integerValue: '5' } } } }],
    });
    const stale = await commitWithVerify(readTime);
    expect(stale.status).toBe(400);
    expect(stale.body.error).toMatchObject({ code: 400, status: 'FAILED_PRECONDITION' });
  });

  it('applies rules to REST calls and answers in the JSON error shape the SDK maps', async () => {
    const rules = await fetch(`${emulator.url}/emulator/v1/projects/${PROJECT}:securityRules`, {
      method: 'PUT',
      body: JSON.stringify({
        rules: {
          files: [
            {
              name: 'firestore.rules',
              content:
                "rules_version = '2';\nservice cloud.firestore { match /databases/{db}/documents { match /items/{id} { allow read: if request.auth != null; } } }",
            },
          ],
        },
      }),
    });
    expect(rules.status).toBe(200);
    const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', user_id: 'u1' })).toString('base64url')}.`;
    const read = await rest(
      `${DATABASE}/documents:batchGet`,
      { documents: [`${DATABASE}/documents/items/a`] },
      token,
    );
    expect(read.status).toBe(200);
    const denied = await rest(
      `${DATABASE}/documents:commit`,
      { writes: [{ update: { name: `${DATABASE}/documents/items/c`, fields: {} } }] },
      token,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    const malformed = await fetch(`${emulator.url}/v1/${DATABASE}/documents:commit`, {
      method: 'POST',
      body: '{nope',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Message).error.status).toBe('INVALID_ARGUMENT');
  });
});
