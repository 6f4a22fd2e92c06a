import type { IncomingMessage, ServerResponse } from 'node:http';
import { identityFromAuthorization, type RequestContext } from '../context.ts';
import { Code, invalidArgument, RpcError } from '../errors.ts';
import type { Request } from '../service/rpc.ts';
import type { FirestoreService } from '../service.ts';
import { applyCors } from '../webchannel/cors.ts';
import { fromProto3Json, messageType, toProto3Json } from '../webchannel/json-codec.ts';
import { sendRestAnswer } from '../webchannel/rest.ts';

// The resource side of the Firestore v1 REST API, as curl, REST clients and ESP32 firmware libraries call it:
//   GET    /v1/projects/{p}/databases/{d}/documents/{document}     GetDocument (mask.fieldPaths, transaction, readTime)
//   GET    /v1/projects/{p}/databases/{d}/documents/{collection}   ListDocuments (pageSize, pageToken, orderBy,
//                                                                  mask.fieldPaths, showMissing, transaction, readTime)
//   PATCH  /v1/projects/{p}/databases/{d}/documents/{document}     UpdateDocument (updateMask.fieldPaths,
//                                                                  mask.fieldPaths, currentDocument.exists|updateTime)
//   DELETE /v1/projects/{p}/databases/{d}/documents/{document}     DeleteDocument (currentDocument.*)
//   POST   /v1/projects/{p}/databases/{d}/documents/{collection}   CreateDocument (documentId, mask.fieldPaths)
// Bodies and answers are proto3 JSON (a Document is {name, fields, createTime, updateTime}); errors are
// {error: {code, message, status}} with the HTTP status production uses for each gRPC code.

const RESOURCE = /^\/v1\/projects\/([^/:]+)\/databases\/([^/:]+)\/documents((?:\/[^:]*)?)$/;

export function handleDocumentsRequest(
  request: IncomingMessage,
  response: ServerResponse,
  service: FirestoreService,
): boolean {
  const method = request.method ?? 'GET';
  if (!['GET', 'PATCH', 'DELETE', 'POST'].includes(method)) return false;
  const url = new URL(request.url ?? '/', 'http://emulator');
  const match = RESOURCE.exec(url.pathname);
  if (!match) return false;
  applyCors(request, response);
  const projectId = decodeURIComponent(match[1]!);
  const databaseId = decodeURIComponent(match[2]!);
  const segments = match[3]!
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const ctx: RequestContext = {
    projectId,
    databaseId,
    ...identityFromAuthorization(request.headers.authorization),
  };
  const database = `projects/${projectId}/databases/${databaseId}`;
  sendRestAnswer(response, serve(method, database, segments, url.searchParams, request, ctx, service));
  return true;
}

async function serve(
  method: string,
  database: string,
  segments: string[],
  params: URLSearchParams,
  request: IncomingMessage,
  ctx: RequestContext,
  service: FirestoreService,
): Promise<unknown> {
  const isDocument = segments.length > 0 && segments.length % 2 === 0;
  const isCollection = segments.length % 2 === 1;
  const path = segments.join('/');
  const name = `${database}/documents/${path}`;
  const parentPath = segments.slice(0, -1).join('/');
  const parent = parentPath ? `${database}/documents/${parentPath}` : `${database}/documents`;
  const collectionId = segments[segments.length - 1] ?? '';
  const common = commonParams(params);
  if (method === 'GET' && isDocument) {
    const body = decode('GetDocumentRequest', { name, ...common });
    return encode('Document', await service.getDocument(body, ctx));
  }
  if (method === 'GET' && isCollection) {
    const body = decode('ListDocumentsRequest', {
      parent,
      collectionId,
      ...common,
      pageSize: numberParam(params, 'pageSize'),
      pageToken: params.get('pageToken') ?? undefined,
      orderBy: params.get('orderBy') ?? undefined,
      showMissing: boolParam(params, 'showMissing'),
    });
    return encode('ListDocumentsResponse', await service.listDocuments(body, ctx));
  }
  if (method === 'PATCH' && isDocument) {
    const document = { ...(await readJson(request)), name };
    const updateMask = params.getAll('updateMask.fieldPaths');
    const body = decode('UpdateDocumentRequest', {
      document,
      updateMask: params.has('updateMask.fieldPaths') ? { fieldPaths: updateMask } : undefined,
      mask: common.mask,
      currentDocument: precondition(params),
    });
    return encode('Document', await service.updateDocument(body, ctx));
  }
  if (method === 'DELETE' && isDocument) {
    const body = decode('DeleteDocumentRequest', { name, currentDocument: precondition(params) });
    await service.deleteDocument(body, ctx);
    return {};
  }
  if (method === 'POST' && isCollection) {
    const document = await readJson(request);
    if ('name' in document && document.name)
      throw invalidArgument('A document to create must not carry a name; give documentId instead.');
    const body = decode('CreateDocumentRequest', {
      parent,
      collectionId,
      documentId: params.get('documentId') ?? undefined,
      document,
      mask: common.mask,
    });
    return encode('Document', await service.createDocument(body, ctx));
  }
  throw new RpcError(
    Code.NOT_FOUND,
    `${method} is not a method of ${isDocument ? 'a document' : isCollection ? 'a collection' : 'the database'}.`,
  );
}

function commonParams(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (params.has('mask.fieldPaths')) out.mask = { fieldPaths: params.getAll('mask.fieldPaths') };
  if (params.has('transaction')) out.transaction = params.get('transaction');
  if (params.has('readTime')) out.readTime = params.get('readTime');
  return out;
}

function precondition(params: URLSearchParams): Record<string, unknown> | undefined {
  if (params.has('currentDocument.updateTime'))
    return { updateTime: params.get('currentDocument.updateTime') };
  const exists = boolParam(params, 'currentDocument.exists');
  return exists === undefined ? undefined : { exists };
}

function boolParam(params: URLSearchParams, key: string): boolean | undefined {
  const value = params.get(key);
  if (value === null) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidArgument(`Invalid value at '${key}' (TYPE_BOOL), "${value}"`);
}

function numberParam(params: URLSearchParams, key: string): number | undefined {
  const value = params.get(key);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw invalidArgument(`Invalid value at '${key}' (TYPE_INT32), "${value}"`);
  return n;
}

function decode(type: string, json: Record<string, unknown>): Request {
  const clean = Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
  try {
    return fromProto3Json(messageType(`google.firestore.v1.${type}`), clean);
  } catch (error) {
    throw invalidArgument(`Invalid JSON payload received. ${(error as Error).message}`);
  }
}

function encode(type: string, message: Record<string, unknown>): unknown {
  return toProto3Json(messageType(`google.firestore.v1.${type}`), message);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim() === '') return {};
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalidArgument('Invalid JSON payload received. Expected an object.');
  return json as Record<string, unknown>;
}
