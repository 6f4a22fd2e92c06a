import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAll } from '../src/authorizer.ts';
import { FirestoreService } from '../src/service.ts';
import { createWebChannelHandler, type WebChannelHandler } from '../src/webchannel/handler.ts';
import { serviceBackend } from '../src/webchannel/service-backend.ts';

// The WebChannel protocol over real HTTP against the real core service, speaking exactly what closure's
// client sends (the browser suite in tests/browser proves the SDK itself in Chromium). Lets the protocol's
// edges be checked directly: handshake, chunk framing, acknowledgements and resend, long polls, unknown
// sessions, termination, idle expiry, CORS.

// biome-ignore lint/suspicious/noExplicitAny: wire messages are read loosely by the assertions.
type Message = Record<string, any>;

const PROJECT = 'demo-webchannel';
const DATABASE = `projects/${PROJECT}/databases/(default)`;
const LISTEN = '/google.firestore.v1.Firestore/Listen/channel';
const WRITE = '/google.firestore.v1.Firestore/Write/channel';

let service: FirestoreService;
let handler: WebChannelHandler;
let server: http.Server;
let base: string;
const logLines: string[] = [];

beforeAll(async () => {
  service = new FirestoreService();
  handler = createWebChannelHandler(serviceBackend(service), {
    keepAliveMs: 300,
    idleSessionMs: 400,
    debug: true,
    log: (line) => logLines.push(line),
  });
  server = http.createServer((request, response) => {
    if (!handler.handle(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  handler?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  service?.close();
});

function channelUrl(path: string, params: Record<string, string | number>): string {
  const query = new URLSearchParams({ database: DATABASE, VER: '8', ...params } as Record<string, string>);
  return `${base}${path}?${query}`;
}

function formBody(messages: unknown[], offset: number, headers?: Record<string, string>): string {
  const parts = [`count=${messages.length}`, `ofs=${offset}`];
  for (const [i, message] of messages.entries()) {
    parts.push(`req${i}___data__=${encodeURIComponent(JSON.stringify(message))}`);
  }
  if (headers) {
    const block = Object.entries(headers)
      .map(([k, v]) => `${k}:${v}\r\n`)
      .join('');
    parts.unshift(`headers=${encodeURIComponent(block)}`);
  }
  return parts.join('&');
}

/** Splits a `<len>\n<json>` stream into its JSON chunks, checking each length. */
function chunks(text: string): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const length = Number(text.slice(at, newline));
    out.push(JSON.parse(text.slice(newline + 1, newline + 1 + length)));
    at = newline + 1 + length;
  }
  return out;
}

async function handshake(path: string, first: unknown, headers?: Record<string, string>): Promise<string> {
  const response = await fetch(
    channelUrl(path, { RID: 1000, CVER: 22, 'X-HTTP-Session-Id': 'gsessionid', t: 1 }),
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody([first], 0, headers),
    },
  );
  expect(response.status).toBe(200);
  const [arrays] = chunks(await response.text()) as [Array<[number, unknown[]]>];
  expect(arrays).toHaveLength(1);
  const [id, control] = arrays[0]!;
  expect(id).toBe(0);
  expect(control[0]).toBe('c');
  expect(control.slice(2, 4)).toEqual(['', 8]);
  expect(response.headers.get('x-http-session-id')).toBe(control[1]);
  return control[1] as string;
}

/** One long poll (CI=1): resolves with the arrays it carried. */
async function longPoll(path: string, sid: string, aid: number): Promise<Array<[number, unknown[]]>> {
  const response = await fetch(
    channelUrl(path, { RID: 'rpc', SID: sid, AID: aid, CI: 1, TYPE: 'xmlhttp', t: 1 }),
  );
  expect(response.status).toBe(200);
  return (chunks(await response.text()) as Array<Array<[number, unknown[]]>>).flat();
}

async function forward(
  path: string,
  sid: string,
  rid: number,
  aid: number,
  messages: unknown[],
  ofs: number,
) {
  const response = await fetch(channelUrl(path, { SID: sid, RID: rid, AID: aid, t: 1 }), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody(messages, ofs),
  });
  expect(response.status).toBe(200);
  return chunks(await response.text())[0] as [number, number, number];
}

async function commitAsAdmin(path: string, fields: Record<string, unknown>): Promise<void> {
  await service.commitWrites(
    service.database(PROJECT),
    [{ update: { name: `${DATABASE}/documents/${path}`, fields } } as never],
    { projectId: PROJECT, databaseId: '(default)', admin: true, auth: null },
  );
}

describe('WebChannel protocol against the core service', () => {
  it('opens a Listen session, delivers the target in proto3 JSON by long poll, acknowledges and resends', async () => {
    await commitAsAdmin('rooms/r1', {
      name: { stringValue: 'kitchen' },
      at: { timestampValue: { seconds: '1700000000', nanos: 5000 } },
    });
    const sid = await handshake(LISTEN, {
      database: DATABASE,
      addTarget: { targetId: 2, documents: { documents: [`${DATABASE}/documents/rooms/r1`] } },
    });

    const arrays = await longPoll(LISTEN, sid, 0);
    const messages = arrays.map(([, payload]) => payload[0] as Message);
    expect(arrays.map(([id]) => id)).toEqual(arrays.map((_, i) => i + 1));
    expect(messages[0]).toEqual({ targetChange: { targetChangeType: 'ADD', targetIds: [2] } });
    const change = messages.find((m) => m.documentChange)!.documentChange;
    expect(change.document.fields).toEqual({
      name: { stringValue: 'kitchen' },
      at: { timestampValue: '2023-11-14T22:13:20.000005Z' },
    });
    expect(typeof change.document.updateTime).toBe('string');
    const current = messages.find((m) => m.targetChange?.targetChangeType === 'CURRENT')!.targetChange;
    expect(typeof current.resumeToken).toBe('string');
    expect(typeof messages[messages.length - 1]!.targetChange.readTime).toBe('string');

    // A poll that acknowledges nothing gets the same arrays again (the client lost that response).
    const again = await longPoll(LISTEN, sid, 0);
    expect(again.map(([id]) => id)).toEqual(arrays.map(([id]) => id));

    // After acknowledging everything, the next poll carries only the new commit.
    const lastId = arrays[arrays.length - 1]![0];
    const next = longPoll(LISTEN, sid, lastId);
    await commitAsAdmin('rooms/r1', { name: { stringValue: 'lounge' } });
    let update = await next;
    expect(update[0]![0]).toBe(lastId + 1);
    // The hold time is short in this suite, so a poll may return a noop before the commit lands.
    for (let i = 0; i < 10 && update.every(([, p]) => p[0] === 'noop'); i += 1) {
      update = await longPoll(LISTEN, sid, update[update.length - 1]![0]);
    }
    const updated = update.map(([, p]) => p[0] as Message).find((m) => m.documentChange);
    expect(updated?.documentChange.document.fields).toEqual({ name: { stringValue: 'lounge' } });
  });

  it('answers an empty long poll with a noop once the hold time passes', async () => {
    const sid = await handshake(LISTEN, {
      database: DATABASE,
      addTarget: { targetId: 4, documents: { documents: [`${DATABASE}/documents/rooms/none`] } },
    });
    const first = await longPoll(LISTEN, sid, 0);
    const quiet = await longPoll(LISTEN, sid, first[first.length - 1]![0]);
    expect(quiet.map(([, payload]) => payload)).toEqual([['noop']]);
  });

  it('streams on CI=0: the first chunk comes at once, later commits follow on the same response', async () => {
    const sid = await handshake(LISTEN, {
      database: DATABASE,
      addTarget: { targetId: 6, documents: { documents: [`${DATABASE}/documents/rooms/s1`] } },
    });
    const controller = new AbortController();
    const response = await fetch(
      channelUrl(LISTEN, { RID: 'rpc', SID: sid, AID: 0, CI: 0, TYPE: 'xmlhttp', t: 1 }),
      {
        signal: controller.signal,
      },
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (predicate: (t: string) => boolean) => {
      while (!predicate(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil((t) => t.includes('"CURRENT"'));
    await commitAsAdmin('rooms/s1', { v: { integerValue: '7' } });
    await readUntil((t) => t.includes('"integerValue":"7"'));
    const arrays = (chunks(text) as Array<Array<[number, unknown[]]>>).flat();
    expect(arrays.map(([id]) => id)).toEqual(arrays.map((_, i) => i + 1));
    controller.abort();
  });

  it('runs a Write stream: handshake, a write, its result, and a denied write as a stream error', async () => {
    service.setRules(
      PROJECT,
      "rules_version = '2';\nservice cloud.firestore { match /databases/{db}/documents { match /open/{id} { allow read, write: if true; } } }",
    );
    try {
      const sid = await handshake(WRITE, { database: DATABASE });
      const [, [handshakeResponse]] = (await longPoll(WRITE, sid, 0))[0] as [
        number,
        [Record<string, string>],
      ];
      expect(typeof handshakeResponse.streamToken).toBe('string');

      await forward(
        WRITE,
        sid,
        1001,
        1,
        [
          {
            streamToken: handshakeResponse.streamToken,
            writes: [
              { update: { name: `${DATABASE}/documents/open/w1`, fields: { ok: { booleanValue: true } } } },
            ],
          },
        ],
        1,
      );
      const [[, [result]]] = (await longPoll(WRITE, sid, 1)) as Array<[number, [Message]]>;
      expect(typeof result.commitTime).toBe('string');
      expect(result.writeResults).toHaveLength(1);
      expect(service.database(PROJECT).get('open/w1')?.fields).toEqual({ ok: { booleanValue: true } });

      await forward(
        WRITE,
        sid,
        1002,
        2,
        [
          {
            streamToken: result.streamToken,
            writes: [{ update: { name: `${DATABASE}/documents/closed/w2`, fields: {} } }],
          },
        ],
        2,
      );
      const [[, [failure]]] = (await longPoll(WRITE, sid, 2)) as Array<[number, [Message]]>;
      expect(failure.error).toMatchObject({ code: 7, status: 'PERMISSION_DENIED' });
      expect(service.database(PROJECT).get('closed/w2')).toBeNull();
    } finally {
      service.setAuthorizer(PROJECT, allowAll);
    }
  });

  it('delivers a retried forward POST once (map ids already seen are skipped)', async () => {
    const sid = await handshake(WRITE, { database: DATABASE });
    const [[, [hello]]] = (await longPoll(WRITE, sid, 0)) as Array<[number, [Message]]>;
    const write = {
      streamToken: hello.streamToken,
      writes: [
        {
          update: { name: `${DATABASE}/documents/counters/c1`, fields: {} },
          updateTransforms: [{ fieldPath: 'n', increment: { integerValue: '1' } }],
        },
      ],
    };
    await forward(WRITE, sid, 2001, 1, [write], 1);
    await forward(WRITE, sid, 2001, 1, [write], 1); // the same RID and map id again
    await longPoll(WRITE, sid, 1);
    expect(service.database(PROJECT).get('counters/c1')?.fields).toEqual({ n: { integerValue: '1' } });
  });

  it('passes the Authorization header from the handshake body to the core (rules see request.auth)', async () => {
    service.setRules(
      PROJECT,
      "rules_version = '2';\nservice cloud.firestore { match /databases/{db}/documents { match /mine/{uid} { allow read: if request.auth.uid == uid; } } }",
    );
    try {
      await commitAsAdmin('mine/alice', { v: { integerValue: '1' } });
      const token = (claims: object) =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      const target = { targetId: 8, documents: { documents: [`${DATABASE}/documents/mine/alice`] } };
      const alice = await handshake(
        LISTEN,
        { database: DATABASE, addTarget: target },
        { Authorization: `Bearer ${token({ sub: 'alice', user_id: 'alice' })}` },
      );
      const allowed = (await longPoll(LISTEN, alice, 0)).map(([, p]) => p[0] as Message);
      expect(allowed.some((m) => m.documentChange)).toBe(true);
      const bob = await handshake(
        LISTEN,
        { database: DATABASE, addTarget: target },
        { Authorization: `Bearer ${token({ sub: 'bob', user_id: 'bob' })}` },
      );
      const denied = (await longPoll(LISTEN, bob, 0)).map(([, p]) => p[0] as Message);
      expect(denied.some((m) => m.documentChange)).toBe(false);
      const refusal = denied.find((m) => m.error || m.targetChange?.cause);
      expect(refusal?.error?.code ?? refusal?.targetChange?.cause?.code).toBe(7);
    } finally {
      service.setAuthorizer(PROJECT, allowAll);
    }
  });

  it('sends back channels to a host of their own when the page reached us as localhost', async () => {
    const handshakeVia = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const body = formBody([{ database: DATABASE }], 0);
        const request = http.request(
          channelUrl(WRITE, { RID: 1, CVER: 22, t: 1 }),
          { method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded' } },
          (response) => {
            let text = '';
            response.on('data', (part: Buffer) => (text += part.toString()));
            response.on('end', () => resolve(text));
          },
        );
        request.on('error', reject);
        request.end(body);
      });
    const prefixOf = (text: string) => (chunks(text)[0] as Array<[number, unknown[]]>)[0]![1][2] as string;
    const port = new URL(base).port;
    expect(prefixOf(await handshakeVia(`localhost:${port}`))).toMatch(/^wc-[a-z0-9]+$/);
    expect(prefixOf(await handshakeVia(`app.localhost:${port}`))).toMatch(/^wc-[a-z0-9]+$/);
    expect(prefixOf(await handshakeVia(`127.0.0.1:${port}`))).toBe('');
  });

  it('answers an unknown session with 400 "Unknown SID" (so the client starts afresh)', async () => {
    const response = await fetch(
      channelUrl(LISTEN, { RID: 'rpc', SID: 'no-such-session', AID: 0, CI: 1, TYPE: 'xmlhttp' }),
    );
    expect(response.status).toBe(400);
    expect((await response.text()).indexOf('Unknown SID')).toBeGreaterThan(0);
  });

  it('ends a session on TYPE=terminate, and expires a session left without a back channel', async () => {
    const terminated = await handshake(LISTEN, {
      database: DATABASE,
      addTarget: { targetId: 10, documents: { documents: [`${DATABASE}/documents/rooms/t`] } },
    });
    const bye = await fetch(channelUrl(LISTEN, { SID: terminated, RID: 3000, TYPE: 'terminate' }), {
      method: 'POST',
      body: '',
    });
    expect(bye.status).toBe(200);
    const after = await fetch(
      channelUrl(LISTEN, { RID: 'rpc', SID: terminated, AID: 0, CI: 1, TYPE: 'xmlhttp' }),
    );
    expect(after.status).toBe(400);

    const abandoned = await handshake(WRITE, { database: DATABASE });
    const expired = () =>
      logLines.some((line) => line.includes('"session.expire"') && line.includes(abandoned));
    for (let i = 0; i < 100 && !expired(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const probe = await fetch(channelUrl(WRITE, { SID: abandoned, RID: 3001, AID: 0 }), {
      method: 'POST',
      body: 'count=0',
    });
    expect(probe.status).toBe(400);
    expect(logLines.some((line) => line.includes('"session.expire"') && line.includes(abandoned))).toBe(true);
    expect(logLines.some((line) => line.includes('"session.terminate"') && line.includes(terminated))).toBe(
      true,
    );
  });

  it('answers CORS with the page origin and credentials, preflights included', async () => {
    const preflight = await fetch(channelUrl(LISTEN, {}), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-goog-api-client,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'authorization,x-goog-api-client,content-type',
    );

    const local = await fetch(channelUrl(LISTEN, { RID: 'rpc', SID: 'x', AID: 0, CI: 1, TYPE: 'xmlhttp' }), {
      headers: { origin: 'http://127.0.0.1:4000' },
    });
    expect(local.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4000');
    expect(local.headers.get('access-control-expose-headers')).toContain('X-HTTP-Session-Id');
    const other = await fetch(channelUrl(LISTEN, { RID: 'rpc', SID: 'x', AID: 0, CI: 1, TYPE: 'xmlhttp' }), {
      headers: { origin: 'https://example.com' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBe('https://example.com');
  });

  it('logs one line per session event, without tokens', () => {
    const opened = logLines.filter((line) => line.includes('"session.open"'));
    expect(opened.length).toBeGreaterThan(3);
    expect(JSON.parse(opened[0]!)).toMatchObject({
      component: 'firestore-webchannel',
      method: 'Listen',
      database: DATABASE,
    });
    expect(logLines.some((line) => line.includes('Bearer'))).toBe(false);
    expect(logLines.some((line) => line.includes('"caller":"uid:alice"'))).toBe(true);
  });
});
