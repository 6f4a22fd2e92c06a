import { randomUUID } from 'node:crypto';
import protobuf from 'protobufjs';
import { protoRoot } from '../proto.ts';
import { microsToTimestamp, rfc3339 } from '../time.ts';
import type { Document } from '../types.ts';

// One Firestore CloudEvent in binary content mode, as Google's emulator sends it to the Functions emulator:
// ce-* headers for the attributes (the Firestore extensions project, database, namespace, document, location,
// and authtype/authid for the withAuthContext types) and a google.events.cloud.firestore.v1.DocumentEventData
// protobuf body, base64-encoded (the Functions emulator decodes it before handing it to firebase-functions).

let eventDataType: protobuf.Type | null = null;

/** DocumentEventData; its Document and DocumentMask are wire-identical to google.firestore.v1's. */
function documentEventData(): protobuf.Type {
  if (eventDataType) return eventDataType;
  const root = protoRoot();
  const type = new protobuf.Type('DocumentEventData')
    .add(new protobuf.Field('value', 1, '.google.firestore.v1.Document'))
    .add(new protobuf.Field('oldValue', 2, '.google.firestore.v1.Document'))
    .add(new protobuf.Field('updateMask', 3, '.google.firestore.v1.DocumentMask'));
  root.define('google.events.cloud.firestore.v1').add(type);
  type.resolveAll();
  eventDataType = type;
  return type;
}

export interface FirestoreEventInput {
  eventType: string;
  projectId: string;
  databaseId: string;
  namespace: string;
  /** Document path relative to documents. */
  path: string;
  before: Document | null;
  after: Document | null;
  commitMicros: bigint;
  /** authtype / authid for the withAuthContext event types. */
  auth: { type: string; id: string | null };
}

export interface CloudEventRequest {
  headers: Record<string, string>;
  body: string;
}

export function firestoreCloudEvent(input: FirestoreEventInput): CloudEventRequest {
  const type = documentEventData();
  const data: Record<string, unknown> = {};
  if (input.after) data.value = input.after;
  if (input.before) data.oldValue = input.before;
  if (input.before && input.after) data.updateMask = { fieldPaths: changedFields(input.before, input.after) };
  const bytes = type.encode(type.fromObject(data)).finish();
  const headers: Record<string, string> = {
    'content-type': 'application/protobuf',
    'ce-specversion': '1.0',
    'ce-type': input.eventType,
    'ce-source': `//firestore.googleapis.com/projects/${input.projectId}/databases/${input.databaseId}`,
    'ce-subject': `documents/${input.path}`,
    'ce-id': randomUUID(),
    'ce-time': rfc3339(microsToTimestamp(input.commitMicros)),
    'ce-datacontenttype': 'application/protobuf',
    'ce-dataschema':
      'https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/firestore/v1/data.proto',
    'ce-location': 'nam5',
    'ce-project': input.projectId,
    'ce-database': input.databaseId,
    'ce-namespace': input.namespace,
    'ce-document': input.path,
  };
  if (input.eventType.endsWith('.withAuthContext')) {
    headers['ce-authtype'] = input.auth.type;
    if (input.auth.id) headers['ce-authid'] = input.auth.id;
  }
  return { headers, body: Buffer.from(bytes).toString('base64') };
}

/** Top-level fields whose value differs between the two versions (what production puts in update_mask). */
function changedFields(before: Document, after: Document): string[] {
  const a = before.fields ?? {};
  const b = after.fields ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
