import type { Document, Timestamp } from './types.ts';

// The seam between the emulator core (which knows documents and operations) and the security-rules evaluator
// (src/rules). The core builds one AccessRequest per document access of a non-admin request (get, create,
// update, delete) and one per query (list: path = the collection, resource = null, query = its shape, judged
// from the query's constraints), and asks the project's Authorizer; admin requests (Authorization: Bearer
// owner) never reach it.

export interface AuthContext {
  uid: string;
  /** The decoded ID-token claims (request.auth.token in rules). */
  token: Record<string, unknown>;
}

export type AccessMethod = 'get' | 'list' | 'create' | 'update' | 'delete';

export interface QueryShape {
  /** Collection path relative to documents ('devices', 'devices/X/commands'), or the collection id for collection-group queries. */
  collection: string;
  allDescendants: boolean;
  limit?: number;
  offset?: number;
  /** The StructuredQuery as received (protobufjs object form). */
  structuredQuery: unknown;
}

export interface AccessRequest {
  method: AccessMethod;
  /** projects/{project}/databases/{database} */
  database: string;
  /** Document path relative to documents, e.g. 'devices/ESP32_AA5510'. */
  path: string;
  auth: AuthContext | null;
  /** The stored document before the operation (null when absent). */
  resource: Document | null;
  /** For create/update: the document as it will be after the write, transforms applied. */
  requestResource: Document | null;
  query?: QueryShape;
  time: Timestamp;
  /** Committed state, for get()/exists() in rules. Path relative to documents. */
  readBefore(path: string): Document | null;
  /** State as if the whole batch/transaction were applied, for getAfter()/existsAfter(). */
  readAfter(path: string): Document | null;
  /**
   * For a batched write, transaction or batch get: one Set shared by all of its authorize calls, in which rules
   * record the documents they read, so the limit of 20 document reads spans the whole request (each single
   * operation is still limited to 10). Absent for single-document requests and queries (limit 10).
   */
  batchAccess?: Set<string>;
}

export type AccessDecision = { allowed: true } | { allowed: false; message: string };

export interface Authorizer {
  authorize(request: AccessRequest): AccessDecision;
}

export const allowAll: Authorizer = { authorize: () => ({ allowed: true }) };
