import type { RequestContext } from '../context.ts';
import type { RpcError } from '../errors.ts';

// The shapes every RPC of the service has, independent of any transport: requests and responses are plain
// objects in the protobufjs object form (types.ts).
//   unary:            method(request, ctx) → Promise<response>
//   server streaming: method(request, ctx, emit) → Promise<void>
//   bidi:             listen/write(ctx, send, end) → { push(request), close() }

export type Emit = (response: Record<string, unknown>) => void;
// biome-ignore lint/suspicious/noExplicitAny: decoded protobufjs messages are untyped plain objects; each RPC reads the fields it needs
export type Request = Record<string, any>;
export type Response = Record<string, unknown>;

export interface BidiStream {
  push(request: Request): void;
  /** The caller cancelled or went away: stop at once. */
  close(): void;
  /** The caller half-closed: finish what was sent, then resolve. */
  drain?(): Promise<void>;
}

export type UnaryRpc = (request: Request, ctx: RequestContext) => Promise<Response>;
export type StreamingRpc = (request: Request, ctx: RequestContext, emit: Emit) => Promise<void>;
export type BidiRpc = (ctx: RequestContext, send: Emit, end: (error?: RpcError) => void) => BidiStream;
