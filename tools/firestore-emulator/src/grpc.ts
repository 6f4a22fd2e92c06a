import type http2 from 'node:http2';
import { gunzipSync } from 'node:zlib';
import { databaseFromHeaders, identityFromAuthorization, type RequestContext } from './context.ts';
import { Code, RpcError, toRpcError } from './errors.ts';
import { codecFor, firestoreMethods, type MethodShape } from './proto.ts';
import {
  type BidiStream,
  bidiMethods,
  type FirestoreService,
  serverStreamingMethods,
  unaryMethods,
} from './service.ts';

// gRPC over cleartext HTTP/2, directly on node:http2: each message is a 5-byte prefix (compressed flag,
// big-endian length) and the protobuf bytes; the status travels in the trailers grpc-status/grpc-message.

const SERVICE_PREFIX = '/google.firestore.v1.Firestore/';

let methodTable: Map<string, MethodShape> | null = null;
function methods(): Map<string, MethodShape> {
  if (!methodTable) methodTable = new Map(firestoreMethods().map((m) => [m.name, m]));
  return methodTable;
}

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Splits incoming bytes into gRPC messages. */
class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + length) break;
      const compressed = this.buffer[0] === 1;
      const body = this.buffer.subarray(5, 5 + length);
      messages.push(compressed ? gunzipSync(body) : Buffer.from(body));
      this.buffer = this.buffer.subarray(5 + length);
    }
    return messages;
  }
}

export interface GrpcOptions {
  defaultProjectId: string;
  onError?: (method: string, error: RpcError) => void;
}

export function handleGrpcStream(
  service: FirestoreService,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  options: GrpcOptions,
): void {
  const path = String(headers[':path'] ?? '');
  const methodName = path.startsWith(SERVICE_PREFIX) ? path.slice(SERVICE_PREFIX.length) : '';
  const shape = methods().get(methodName);
  let finished = false;
  let status: RpcError | null = null;

  const respondHeaders = () => {
    if (stream.headersSent || stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => {
      const error = status;
      stream.sendTrailers({
        'grpc-status': String(error?.code ?? Code.OK),
        'grpc-message': encodeStatusMessage(error?.message ?? ''),
      });
    });
  };

  const finish = (error?: RpcError) => {
    if (finished) return;
    finished = true;
    status = error ?? null;
    if (error && error.code !== Code.OK) options.onError?.(methodName, error);
    if (stream.destroyed || stream.closed) return;
    // Streaming calls always get response headers before the status: the Admin SDK's retry layer treats an
    // error that arrives without response metadata (trailers-only) as "no response" and retries it.
    if (!stream.headersSent && shape?.responseStream) respondHeaders();
    if (!stream.headersSent) {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc+proto',
          'grpc-status': String(error?.code ?? Code.OK),
          'grpc-message': encodeStatusMessage(error?.message ?? ''),
        },
        { endStream: true },
      );
      return;
    }
    stream.end();
  };

  if (!shape) {
    finish(new RpcError(Code.UNIMPLEMENTED, `Unknown method ${path}`));
    stream.resume();
    return;
  }

  const requestCodec = codecFor(shape.requestType);
  const responseCodec = codecFor(shape.responseType);
  const identity = identityFromAuthorization(headers.authorization as string | undefined);
  const ctx: RequestContext = { ...databaseFromHeaders(headers, options.defaultProjectId), ...identity };

  const emit = (response: Record<string, unknown>) => {
    if (finished || stream.destroyed) return;
    let bytes: Uint8Array;
    try {
      bytes = responseCodec.encode(response);
    } catch (error) {
      finish(
        new RpcError(Code.INTERNAL, `Could not encode a ${methodName} response: ${(error as Error).message}`),
      );
      return;
    }
    respondHeaders();
    stream.write(frame(bytes));
  };

  const reader = new MessageReader();
  const decode = (bytes: Buffer) => requestCodec.decode(bytes);

  if (shape.requestStream) {
    const bidiName = bidiMethods[methodName as keyof typeof bidiMethods];
    if (!bidiName) {
      finish(new RpcError(Code.UNIMPLEMENTED, `${methodName} is not supported`));
      return;
    }
    respondHeaders();
    const bidi: BidiStream = service[bidiName](ctx, emit, (error) => finish(error));
    stream.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) bidi.push(decode(message));
      } catch (error) {
        bidi.close();
        finish(toRpcError(error));
      }
    });
    stream.on('end', () => {
      const drained = bidi.drain ? bidi.drain() : Promise.resolve();
      drained.then(() => {
        bidi.close();
        finish();
      });
    });
    stream.on('close', () => {
      bidi.close();
      finished = true;
    });
    stream.on('error', () => bidi.close());
    return;
  }

  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', () => {
    finished = true;
  });
  stream.on('end', () => {
    let request: Record<string, unknown>;
    try {
      const messages = reader.push(Buffer.concat(chunks));
      if (messages.length !== 1)
        throw new RpcError(Code.INVALID_ARGUMENT, 'Expected exactly one request message.');
      request = decode(messages[0]);
    } catch (error) {
      finish(toRpcError(error));
      return;
    }
    const unaryName = unaryMethods[methodName as keyof typeof unaryMethods];
    const streamingName = serverStreamingMethods[methodName as keyof typeof serverStreamingMethods];
    const run = unaryName
      ? service[unaryName](request, ctx).then((response) => emit(response))
      : streamingName
        ? service[streamingName](request, ctx, emit)
        : Promise.reject(new RpcError(Code.UNIMPLEMENTED, `${methodName} is not supported`));
    run.then(
      () => finish(),
      (error) => finish(toRpcError(error)),
    );
  });
}

/** Percent-encodes a status message as the gRPC spec asks (only bytes outside printable ASCII, and '%'). */
function encodeStatusMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte < 0x20 || byte > 0x7e || byte === 0x25
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte);
  }
  return out;
}
