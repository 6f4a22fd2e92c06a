import type { IncomingMessage, ServerResponse } from 'node:http';
import { identityFromAuthorization, type RequestContext } from '../context.ts';
import { Code, codeNames, RpcError, toRpcError } from '../errors.ts';
import type { FirestoreService } from '../service.ts';
import { timestampsEqual } from '../time.ts';
import type { Timestamp } from '../types.ts';
import { applyCors } from './cors.ts';
import { fromProto3Json, messageType, toProto3Json } from './json-codec.ts';

// The custom-method side of the v1 REST API (`POST /v1/{resource}:{method}`), with proto3 JSON bodies. The browser
// SDK's non-streaming calls use it (:batchGet, :commit, :beginTransaction, :rollback, :runQuery,
// :runAggregationQuery), and so do REST clients (:listCollectionIds, :batchWrite). Server-streaming methods
// answer with a JSON array of their responses; errors are {error: {code, message, status}}. The resource
// methods (GET/PATCH/DELETE a document, list, createDocument) are in ../rest/documents.ts.

const REST_PATH = /^\/v1\/(projects\/([^/]+)\/databases\/([^/]+)\/documents(?:\/.*)?):([A-Za-z]+)$/;

interface RestMethod {
  kind: 'unary' | 'stream';
  service:
    | 'commit'
    | 'beginTransaction'
    | 'rollback'
    | 'batchGetDocuments'
    | 'runQuery'
    | 'runAggregationQuery'
    | 'listCollectionIds'
    | 'batchWrite';
  request: string;
  response: string;
  /** Where the URL's resource goes in the request: the database name or the query parent. */
  target: 'database' | 'parent';
}

const METHODS: Record<string, RestMethod> = {
  commit: {
    kind: 'unary',
    service: 'commit',
    request: 'CommitRequest',
    response: 'CommitResponse',
    target: 'database',
  },
  beginTransaction: {
    kind: 'unary',
    service: 'beginTransaction',
    request: 'BeginTransactionRequest',
    response: 'BeginTransactionResponse',
    target: 'database',
  },
  rollback: {
    kind: 'unary',
    service: 'rollback',
    request: 'RollbackRequest',
    response: 'google.protobuf.Empty',
    target: 'database',
  },
  batchGet: {
    kind: 'stream',
    service: 'batchGetDocuments',
    request: 'BatchGetDocumentsRequest',
    response: 'BatchGetDocumentsResponse',
    target: 'database',
  },
  runQuery: {
    kind: 'stream',
    service: 'runQuery',
    request: 'RunQueryRequest',
    response: 'RunQueryResponse',
    target: 'parent',
  },
  listCollectionIds: {
    kind: 'unary',
    service: 'listCollectionIds',
    request: 'ListCollectionIdsRequest',
    response: 'ListCollectionIdsResponse',
    target: 'parent',
  },
  batchWrite: {
    kind: 'unary',
    service: 'batchWrite',
    request: 'BatchWriteRequest',
    response: 'BatchWriteResponse',
    target: 'database',
  },
  runAggregationQuery: {
    kind: 'stream',
    service: 'runAggregationQuery',
    request: 'RunAggregationQueryRequest',
    response: 'RunAggregationQueryResponse',
    target: 'parent',
  },
};

export const HTTP_STATUS: Record<number, number> = {
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

function fullTypeName(name: string): string {
  return name.startsWith('google.') ? name : `google.firestore.v1.${name}`;
}

/** Serves a REST RPC of the browser SDK; returns false for any other request. */
export function handleRestRequest(
  request: IncomingMessage,
  response: ServerResponse,
  service: FirestoreService,
): boolean {
  if (request.method !== 'POST') return false;
  const url = new URL(request.url ?? '/', 'http://emulator');
  const match = REST_PATH.exec(url.pathname);
  const method = match ? METHODS[match[4]!] : undefined;
  if (!match || !method) return false;
  applyCors(request, response);
  const resource = decodeURIComponent(match[1]!);
  const ctx: RequestContext = {
    projectId: decodeURIComponent(match[2]!),
    databaseId: decodeURIComponent(match[3]!),
    ...identityFromAuthorization(request.headers.authorization),
  };
  sendRestAnswer(response, serve(method, resource, ctx, request, service));
  return true;
}

/** Answers a REST call: 200 with the JSON body, or Google's error shape with the HTTP status of the code. */
export function sendRestAnswer(response: ServerResponse, answer: Promise<unknown>): void {
  answer
    .then((body) => {
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    })
    .catch((error: unknown) => {
      const failure =
        error instanceof SyntaxError
          ? new RpcError(Code.INVALID_ARGUMENT, `Invalid JSON payload received. ${error.message}`)
          : toRpcError(error);
      const status = HTTP_STATUS[failure.code] ?? 500;
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(
        JSON.stringify({
          error: { code: status, message: failure.message, status: codeNames[failure.code] },
        }),
      );
    });
}

async function serve(
  method: RestMethod,
  resource: string,
  ctx: RequestContext,
  request: IncomingMessage,
  service: FirestoreService,
): Promise<unknown> {
  const text = await readText(request);
  const json = (text.trim() === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  const verifies = method.service === 'commit' ? takeVerifyWrites(json) : [];
  const body = fromProto3Json(messageType(fullTypeName(method.request)), json);
  body[method.target] = method.target === 'database' ? resource.replace(/\/documents$/, '') : resource;
  const responseType = messageType(fullTypeName(method.response));
  if (method.kind === 'stream') {
    const responses: unknown[] = [];
    const emit = (message: Record<string, unknown>) => responses.push(toProto3Json(responseType, message));
    await (service[method.service] as (r: unknown, c: RequestContext, e: typeof emit) => Promise<void>).call(
      service,
      body,
      ctx,
      emit,
    );
    return responses;
  }
  // Verify writes are checked and the commit starts in the same turn of the event loop, so nothing can commit
  // in between (a commit outside a transaction does not yield before it applies).
  checkVerifies(service, ctx, verifies);
  const result = await (
    service[method.service] as (r: unknown, c: RequestContext) => Promise<Record<string, unknown>>
  ).call(service, body, ctx);
  return toProto3Json(responseType, result);
}

interface VerifyWrite {
  name: string;
  exists?: boolean;
  updateTime?: Timestamp;
}

/**
 * The web SDK's transactions end with `verify` writes (a precondition on a document read but not written),
 * a field the published v1 protos do not carry. They are taken out of the commit and checked here.
 */
function takeVerifyWrites(json: Record<string, unknown>): VerifyWrite[] {
  const writes = Array.isArray(json.writes) ? (json.writes as Record<string, unknown>[]) : [];
  const verifies: VerifyWrite[] = [];
  json.writes = writes.filter((write) => {
    if (typeof write.verify !== 'string') return true;
    const { currentDocument } = fromProto3Json(messageType('google.firestore.v1.Write'), {
      currentDocument: write.currentDocument ?? {},
    }) as { currentDocument: { exists?: boolean; updateTime?: Timestamp } };
    verifies.push({ name: write.verify, ...currentDocument });
    return false;
  });
  return verifies;
}

function checkVerifies(service: FirestoreService, ctx: RequestContext, verifies: VerifyWrite[]): void {
  if (verifies.length === 0) return;
  const db = service.database(ctx.projectId, ctx.databaseId);
  for (const verify of verifies) {
    const index = verify.name.indexOf('/documents/');
    const doc = db.get(verify.name.slice(index + '/documents/'.length));
    const holds =
      verify.updateTime !== undefined
        ? doc !== null && timestampsEqual(doc.updateTime, verify.updateTime)
        : verify.exists === undefined || verify.exists === (doc !== null);
    if (!holds) {
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `The document ${verify.name} changed since the transaction read it.`,
      );
    }
  }
}

function readText(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}
