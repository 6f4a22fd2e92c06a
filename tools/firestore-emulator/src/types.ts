// The emulator's one representation of Firestore data, shared by the storage core, the gRPC and WebChannel
// transports and the rules evaluator. It is the shape protobufjs produces from google.firestore.v1 messages
// with toObject({ longs: String, enums: String, bytes: Buffer, defaults: false }), so wire messages map onto
// it without translation.

export interface Timestamp {
  seconds: string;
  nanos: number;
}

export type Value =
  | { nullValue: 'NULL_VALUE' }
  | { booleanValue: boolean }
  | { integerValue: string }
  | { doubleValue: number }
  | { timestampValue: Timestamp }
  | { stringValue: string }
  | { bytesValue: Uint8Array }
  | { referenceValue: string }
  | { geoPointValue: { latitude: number; longitude: number } }
  | { arrayValue: { values?: Value[] } }
  | { mapValue: { fields?: Record<string, Value> } };

export interface Document {
  /** Full resource name: projects/{p}/databases/{d}/documents/{path}. */
  name: string;
  fields: Record<string, Value>;
  createTime: Timestamp;
  updateTime: Timestamp;
}
