import { describe, expect, it } from 'vitest';
import { fromProto3Json, messageType, toProto3Json } from '../src/webchannel/json-codec.ts';
import {
  chunk,
  handshakeArray,
  parseEncodedHeaders,
  parseForwardBody,
  postResponse,
} from '../src/webchannel/wire.ts';

// The pure parts of the WebChannel transport: the wire format closure's client speaks, and the translation
// between the web SDK's proto3 JSON and the core's protobufjs object form.

describe('WebChannel wire format', () => {
  it('parses a handshake body with encoded headers and raw-JSON maps', () => {
    const headers =
      'X-Goog-Api-Client:gl-js/ fire/12.19.0\r\nContent-Type:text/plain\r\nAuthorization:Bearer a.b.c\r\n';
    const first = JSON.stringify({ database: 'projects/p/databases/(default)', addTarget: { targetId: 2 } });
    const body = `headers=${encodeURIComponent(headers)}&count=2&ofs=0&req0___data__=${encodeURIComponent(first)}&req1___data__=${encodeURIComponent('{"removeTarget":2}')}`;
    const parsed = parseForwardBody(body);
    expect(parsed.headers).toEqual({
      'x-goog-api-client': 'gl-js/ fire/12.19.0',
      'content-type': 'text/plain',
      authorization: 'Bearer a.b.c',
    });
    expect(parsed.maps).toEqual([
      { id: 0, data: first },
      { id: 1, data: '{"removeTarget":2}' },
    ]);
  });

  it('numbers maps from the ofs offset and accepts a body without maps', () => {
    expect(parseForwardBody('count=1&ofs=7&req0___data__=%7B%7D').maps).toEqual([{ id: 7, data: '{}' }]);
    expect(parseForwardBody('count=0').maps).toEqual([]);
    expect(() => parseForwardBody('count=1&ofs=0&req0_type=_badmap')).toThrow(/no __data__/);
  });

  it('reads $httpHeaders-style header blocks', () => {
    expect(parseEncodedHeaders('A:1\r\nB: two words \r\n')).toEqual({ a: '1', b: 'two words' });
  });

  it('frames chunks by UTF-16 length, as the client slices responseText', () => {
    const framed = chunk([[1, [{ s: 'héllo ✓ 🔥' }]]]);
    const newline = framed.indexOf('\n');
    const length = Number(framed.slice(0, newline));
    expect(framed.slice(newline + 1).length).toBe(length);
    expect(JSON.parse(framed.slice(newline + 1))).toEqual([[1, [{ s: 'héllo ✓ 🔥' }]]]);
  });

  it('builds the handshake and POST responses', () => {
    expect(handshakeArray('SID1', 25000)).toEqual([0, ['c', 'SID1', '', 8, 14, 25000]]);
    expect(postResponse(true, 5, 120)).toBe('9\n[1,5,120]');
  });
});

describe('proto3 JSON ⇄ protobufjs object form', () => {
  const listenResponse = messageType('google.firestore.v1.ListenResponse');
  const writeRequest = messageType('google.firestore.v1.WriteRequest');
  const listenRequest = messageType('google.firestore.v1.ListenRequest');

  it('writes only the fields a message has, also for protobufjs message instances (defaults on the prototype)', () => {
    // Documents written over gRPC are decoded into message instances; their unset fields (oneof members
    // included) live on the prototype and must not reach the browser as extra fields.
    const value = messageType('google.firestore.v1.Value').fromObject({ stringValue: 'x' });
    const document = messageType('google.firestore.v1.Document').fromObject({
      name: 'projects/p/databases/(default)/documents/a/b',
    });
    (document as unknown as { fields: Record<string, unknown> }).fields = { s: value };
    const json = toProto3Json(listenResponse, { documentChange: { document, targetIds: [2] } });
    expect(json).toEqual({
      documentChange: {
        document: {
          name: 'projects/p/databases/(default)/documents/a/b',
          fields: { s: { stringValue: 'x' } },
        },
        targetIds: [2],
      },
    });
  });

  it('writes timestamps as RFC 3339, bytes as base64, int64 as strings, non-finite doubles as names', () => {
    const json = toProto3Json(listenResponse, {
      documentChange: {
        document: {
          name: 'projects/p/databases/(default)/documents/a/b',
          fields: {
            n: { integerValue: '9007199254740993' },
            d: { doubleValue: Number.NaN },
            inf: { doubleValue: Number.NEGATIVE_INFINITY },
            b: { bytesValue: Buffer.from([1, 2, 255]) },
            t: { timestampValue: { seconds: '1700000000', nanos: 120000000 } },
            nul: { nullValue: 'NULL_VALUE' },
            m: { mapValue: { fields: { x: { arrayValue: { values: [{ booleanValue: true }] } } } } },
          },
          createTime: { seconds: '1700000000', nanos: 0 },
          updateTime: { seconds: '1700000000', nanos: 123456 },
        },
        targetIds: [2],
      },
    });
    expect(json).toEqual({
      documentChange: {
        document: {
          name: 'projects/p/databases/(default)/documents/a/b',
          fields: {
            n: { integerValue: '9007199254740993' },
            d: { doubleValue: 'NaN' },
            inf: { doubleValue: '-Infinity' },
            b: { bytesValue: 'AQL/' },
            t: { timestampValue: '2023-11-14T22:13:20.120Z' },
            nul: { nullValue: 'NULL_VALUE' },
            m: { mapValue: { fields: { x: { arrayValue: { values: [{ booleanValue: true }] } } } } },
          },
          createTime: '2023-11-14T22:13:20Z',
          updateTime: '2023-11-14T22:13:20.000123456Z',
        },
        targetIds: [2],
      },
    });
  });

  it('writes target changes with enum names and base64 resume tokens', () => {
    const json = toProto3Json(listenResponse, {
      targetChange: {
        targetChangeType: 'CURRENT',
        targetIds: [4],
        resumeToken: Buffer.from('token'),
        readTime: { seconds: '1', nanos: 500000 },
        cause: { code: 7, message: 'denied' },
      },
    });
    expect(json).toEqual({
      targetChange: {
        targetChangeType: 'CURRENT',
        targetIds: [4],
        resumeToken: Buffer.from('token').toString('base64'),
        readTime: '1970-01-01T00:00:01.000500Z',
        cause: { code: 7, message: 'denied' },
      },
    });
  });

  it('reads a web SDK write: timestamps, bytes, wrappers, null values, preconditions', () => {
    const object = fromProto3Json(writeRequest, {
      streamToken: Buffer.from('abc').toString('base64'),
      writes: [
        {
          update: {
            name: 'projects/p/databases/(default)/documents/a/b',
            fields: {
              t: { timestampValue: '2024-01-02T03:04:05.000006789Z' },
              z: { timestampValue: '2024-01-02T03:04:05+07:00' },
              b: { bytesValue: 'AQL/' },
              nul: { nullValue: null },
              d: { doubleValue: 'Infinity' },
              i: { integerValue: '12' },
            },
          },
          currentDocument: { updateTime: '2024-01-02T03:04:05.5Z' },
          updateTransforms: [{ fieldPath: 'at', setToServerValue: 'REQUEST_TIME' }],
        },
      ],
    });
    expect(object).toEqual({
      streamToken: Buffer.from('abc'),
      writes: [
        {
          update: {
            name: 'projects/p/databases/(default)/documents/a/b',
            fields: {
              t: { timestampValue: { seconds: '1704164645', nanos: 6789 } },
              z: { timestampValue: { seconds: String(1704164645 - 7 * 3600), nanos: 0 } },
              b: { bytesValue: Buffer.from([1, 2, 255]) },
              nul: { nullValue: 'NULL_VALUE' },
              d: { doubleValue: Number.POSITIVE_INFINITY },
              i: { integerValue: '12' },
            },
          },
          currentDocument: { updateTime: { seconds: '1704164645', nanos: 500000000 } },
          updateTransforms: [{ fieldPath: 'at', setToServerValue: 'REQUEST_TIME' }],
        },
      ],
    });
  });

  it('reads a listen request: Int32Value wrappers become {value}, queries keep their shape', () => {
    const object = fromProto3Json(listenRequest, {
      database: 'projects/p/databases/(default)',
      addTarget: {
        targetId: 2,
        resumeToken: Buffer.from('r').toString('base64'),
        expectedCount: 3,
        query: {
          parent: 'projects/p/databases/(default)/documents',
          structuredQuery: {
            from: [{ collectionId: 'devices' }],
            where: {
              fieldFilter: { field: { fieldPath: 'ownerUid' }, op: 'EQUAL', value: { stringValue: 'u1' } },
            },
            orderBy: [{ field: { fieldPath: '__name__' }, direction: 'ASCENDING' }],
            limit: 10,
          },
        },
      },
      labels: { 'goog-listen-tags': 'existence-filter-mismatch' },
    });
    expect(object).toEqual({
      database: 'projects/p/databases/(default)',
      addTarget: {
        targetId: 2,
        resumeToken: Buffer.from('r'),
        expectedCount: { value: 3 },
        query: {
          parent: 'projects/p/databases/(default)/documents',
          structuredQuery: {
            from: [{ collectionId: 'devices' }],
            where: {
              fieldFilter: { field: { fieldPath: 'ownerUid' }, op: 'EQUAL', value: { stringValue: 'u1' } },
            },
            orderBy: [{ field: { fieldPath: '__name__' }, direction: 'ASCENDING' }],
            limit: { value: 10 },
          },
        },
      },
      labels: { 'goog-listen-tags': 'existence-filter-mismatch' },
    });
  });

  it('rejects malformed timestamps', () => {
    expect(() =>
      fromProto3Json(writeRequest, { writes: [{ currentDocument: { updateTime: 'yesterday' } }] }),
    ).toThrow(/invalid timestamp/);
  });
});
