import protobuf from 'protobufjs';
import { protoRoot } from '../proto.ts';
import { rfc3339 } from '../time.ts';

// The browser SDK serialises messages as proto3 JSON (timestamps as RFC 3339 strings, int64 as strings, bytes
// as base64, wrapper types as bare values, enums as names). The core speaks the protobufjs object form of
// types.ts (Timestamp {seconds, nanos}, bytes as Buffer, wrappers as {value}). These two walks translate
// between them field by field, guided by the proto descriptors, so no message type needs special code.

type Json = unknown;

const WRAPPER_TYPES = new Set([
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.BoolValue',
  '.google.protobuf.StringValue',
  '.google.protobuf.BytesValue',
]);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const FLOAT_TYPES = new Set(['double', 'float']);

export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

/** Proto3 JSON (as the web SDK sends it) → protobufjs object form (as the core reads it). */
export function fromProto3Json(type: protobuf.Type, json: Json): Record<string, unknown> {
  return readMessage(type, json) as Record<string, unknown>;
}

/** protobufjs object form (as the core produces it) → proto3 JSON (as the web SDK reads it). */
export function toProto3Json(type: protobuf.Type, object: unknown): Record<string, unknown> {
  return writeMessage(type, object) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function fieldOf(type: protobuf.Type, key: string): protobuf.Field | null {
  const field = type.fields[key] ?? null;
  field?.resolve();
  return field;
}

// ---- JSON → object form -------------------------------------------------------------------------------

function readMessage(type: protobuf.Type, json: Json): unknown {
  const name = type.fullName;
  if (name === '.google.protobuf.Timestamp') return readTimestamp(json);
  if (WRAPPER_TYPES.has(name)) {
    if (isPlainObject(json) && 'value' in json) return json;
    return { value: readScalar(type.fields.value!, json) };
  }
  if (!isPlainObject(json)) throw new Error(`expected an object for ${name.slice(1)}`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (value === null && !(name === '.google.firestore.v1.Value' && key === 'nullValue')) continue;
    const field = fieldOf(type, key);
    if (!field) continue; // unknown fields are ignored, as proto3 JSON parsers may
    out[field.name] = readField(field, value);
  }
  return out;
}

function readField(field: protobuf.Field, value: Json): unknown {
  if (field instanceof protobuf.MapField) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      out[key] = readSingle(field, entry);
    }
    return out;
  }
  if (field.repeated) return ((value ?? []) as unknown[]).map((entry) => readSingle(field, entry));
  return readSingle(field, value);
}

function readSingle(field: protobuf.Field, value: Json): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return readMessage(resolved, value);
  if (resolved instanceof protobuf.Enum) {
    if (value === null) return Object.keys(resolved.values)[0];
    return typeof value === 'number' ? (resolved.valuesById[value] ?? value) : value;
  }
  return readScalar(field, value);
}

function readScalar(field: protobuf.Field, value: Json): unknown {
  if (field.type === 'bytes') {
    return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value as Uint8Array);
  }
  if (LONG_TYPES.has(field.type)) return String(value);
  if (FLOAT_TYPES.has(field.type)) return typeof value === 'string' ? Number(value) : value;
  return value;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

function readTimestamp(json: Json): { seconds: string; nanos: number } {
  if (isPlainObject(json)) {
    return { seconds: String(json.seconds ?? '0'), nanos: Number(json.nanos ?? 0) };
  }
  const match = typeof json === 'string' ? RFC3339.exec(json) : null;
  if (!match) throw new Error(`invalid timestamp ${JSON.stringify(json)}`);
  const millis = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(millis)) throw new Error(`invalid timestamp ${JSON.stringify(json)}`);
  const nanos = match[2] ? Number(match[2].padEnd(9, '0')) : 0;
  return { seconds: String(Math.floor(millis / 1000)), nanos };
}

// ---- object form → JSON -------------------------------------------------------------------------------
// Every document of every listen passes through here (a 1,000-device dashboard is 2,000 documents), so each
// type's walk is worked out once: protobufjs computes `fullName` by walking parents on every read, and
// `resolve()` and the field lookups cost as much again. A plan per type keeps the walk to plain property reads.

type FieldWriter = (value: unknown) => Json;

interface WritePlan {
  /** Timestamps and wrappers are written whole; other messages field by field. */
  whole: ((object: unknown) => Json) | null;
  fields: Map<string, { name: string; write: FieldWriter }>;
}

const plans = new WeakMap<protobuf.Type, WritePlan>();

function planOf(type: protobuf.Type): WritePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const name = type.fullName;
  plan = { whole: null, fields: new Map() };
  plans.set(type, plan);
  if (name === '.google.protobuf.Timestamp') {
    plan.whole = (object) => writeTimestamp(object as { seconds?: unknown; nanos?: unknown });
  } else if (WRAPPER_TYPES.has(name)) {
    const field = type.fields.value!;
    plan.whole = (object) => writeScalar(field, isPlainObject(object) ? object.value : object);
  } else {
    for (const field of type.fieldsArray) {
      field.resolve();
      plan.fields.set(field.name, { name: field.name, write: fieldWriter(field) });
    }
  }
  return plan;
}

function writeMessage(type: protobuf.Type, object: unknown): Json {
  const plan = planOf(type);
  if (plan.whole) return plan.whole(object);
  if (!isPlainObject(object)) return object;
  const out: Record<string, unknown> = {};
  // Own keys only (as Object.entries): protobufjs message instances keep their defaults on the prototype.
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined) continue;
    const field = plan.fields.get(key);
    if (!field) continue;
    out[field.name] = field.write(value);
  }
  return out;
}

function fieldWriter(field: protobuf.Field): FieldWriter {
  const single = singleWriter(field);
  if (field instanceof protobuf.MapField) {
    return (value) => {
      const out: Record<string, unknown> = {};
      const entries = value as Record<string, unknown>;
      for (const key of Object.keys(entries)) out[key] = single(entries[key]);
      return out;
    };
  }
  if (field.repeated) return (value) => (value as unknown[]).map(single);
  return single;
}

function singleWriter(field: protobuf.Field): FieldWriter {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return (value) => writeMessage(resolved, value);
  if (resolved instanceof protobuf.Enum) {
    return (value) => (typeof value === 'number' ? (resolved.valuesById[value] ?? value) : value);
  }
  if (field.type === 'string' || field.type === 'bool' || field.type === 'int32') return (value) => value;
  return (value) => writeScalar(field, value);
}

function writeScalar(field: protobuf.Field, value: unknown): Json {
  if (field.type === 'bytes') {
    if (typeof value === 'string') return value;
    return Buffer.from(value as Uint8Array).toString('base64');
  }
  if (LONG_TYPES.has(field.type)) return String(value);
  if (FLOAT_TYPES.has(field.type) && typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

function writeTimestamp(timestamp: { seconds?: unknown; nanos?: unknown }): string {
  return rfc3339(timestamp);
}
