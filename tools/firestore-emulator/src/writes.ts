import { Code, invalidArgument, RpcError } from './errors.ts';
import { deleteField, getField, parseFieldPath, setField } from './fieldPaths.ts';
import { documentResourceName, parseDocumentName, type ResourcePath } from './paths.ts';
import { timestampsEqual } from './time.ts';
import type { Document, Timestamp, Value } from './types.ts';
import {
  arrayContains,
  cloneFields,
  cloneValue,
  compareValues,
  documentSize,
  fieldsDepth,
  fieldsIdentical,
  isNaNValue,
  isNumber,
} from './values.ts';

// One google.firestore.v1.Write applied to the current state of its document: preconditions, update masks,
// field transforms, deletes, and Firestore's limits, with the status codes the real service returns.

export interface FieldTransform {
  fieldPath: string;
  setToServerValue?: string;
  increment?: Value;
  maximum?: Value;
  minimum?: Value;
  appendMissingElements?: { values?: Value[] };
  removeAllFromArray?: { values?: Value[] };
}

export interface Precondition {
  exists?: boolean;
  updateTime?: Timestamp;
}

export interface WriteRequest {
  update?: { name: string; fields?: Record<string, Value> };
  delete?: string;
  transform?: { document: string; fieldTransforms?: FieldTransform[] };
  updateMask?: { fieldPaths?: string[] };
  updateTransforms?: FieldTransform[];
  currentDocument?: Precondition;
}

export interface WriteOutcome {
  path: string;
  name: string;
  after: Document | null;
  /** Update time reported in the WriteResult (absent for deletes). */
  updateTime?: Timestamp;
  transformResults?: Value[];
}

export const MAX_DOCUMENT_BYTES = 1_048_576;
export const MAX_DEPTH = 20;
export const MAX_FIELD_NAME_BYTES = 1500;

function longFieldName(fields: Record<string, Value>): string | null {
  for (const key of Object.keys(fields)) {
    if (key.length > MAX_FIELD_NAME_BYTES / 3 && Buffer.byteLength(key) > MAX_FIELD_NAME_BYTES) return key;
    const value = fields[key];
    if ('mapValue' in value) {
      const nested = longFieldName(value.mapValue.fields ?? {});
      if (nested) return nested;
    } else if ('arrayValue' in value) {
      for (const element of value.arrayValue.values ?? []) {
        if (!('mapValue' in element)) continue;
        const nested = longFieldName(element.mapValue.fields ?? {});
        if (nested) return nested;
      }
    }
  }
  return null;
}

export function writeTarget(write: WriteRequest): ResourcePath {
  const name = write.update?.name ?? write.delete ?? write.transform?.document;
  if (!name) throw invalidArgument('A write must have an operation: update, delete or transform.');
  return parseDocumentName(name);
}

function checkPrecondition(name: string, current: Document | null, precondition?: Precondition): void {
  if (!precondition) return;
  if (precondition.exists !== undefined) {
    if (precondition.exists && !current) throw new RpcError(Code.NOT_FOUND, `No document to update: ${name}`);
    if (!precondition.exists && current)
      throw new RpcError(Code.ALREADY_EXISTS, `Document already exists: ${name}`);
  }
  if (precondition.updateTime !== undefined) {
    if (!current || !timestampsEqual(current.updateTime, precondition.updateTime)) {
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        current
          ? `The update time of the document does not match the precondition: ${name}`
          : `No document to update: ${name}`,
      );
    }
  }
}

/** Applies a write to `current` (null = absent); throws on failed preconditions and invalid data. */
export function applyWrite(
  write: WriteRequest,
  current: Document | null,
  commitTime: Timestamp,
  database: { projectId: string; databaseId: string },
): WriteOutcome {
  const target = writeTarget(write);
  if (target.projectId !== database.projectId || target.databaseId !== database.databaseId) {
    throw invalidArgument(`Write to ${target.projectId}/${target.databaseId} sent to another database.`);
  }
  const name = documentResourceName(database, target.path);
  checkPrecondition(name, current, write.currentDocument);
  if (write.delete !== undefined) {
    return { path: target.path, name, after: null };
  }
  let fields: Record<string, Value>;
  let transforms: FieldTransform[] = write.updateTransforms ?? [];
  if (write.update) {
    const incoming = write.update.fields ?? {};
    if (write.updateMask) {
      fields = current ? cloneFields(current.fields) : {};
      for (const path of write.updateMask.fieldPaths ?? []) {
        const segments = parseFieldPath(path);
        const value = getField(incoming, segments);
        if (value === undefined) deleteField(fields, segments);
        else setField(fields, segments, cloneValue(value));
      }
    } else {
      fields = cloneFields(incoming);
    }
  } else {
    fields = current ? cloneFields(current.fields) : {};
    transforms = write.transform?.fieldTransforms ?? [];
  }
  const transformResults = transforms.map((transform) => applyTransform(fields, transform, commitTime));
  validateFields(name, target.path, fields);
  const unchanged = current !== null && fieldsIdentical(current.fields, fields);
  const updateTime = unchanged ? current.updateTime : commitTime;
  const after: Document = {
    name,
    fields,
    createTime: current ? current.createTime : commitTime,
    updateTime,
  };
  return {
    path: target.path,
    name,
    after: unchanged ? current : after,
    updateTime,
    transformResults: transforms.length > 0 ? transformResults : undefined,
  };
}

function validateFields(name: string, path: string, fields: Record<string, Value>): void {
  const size = documentSize(path, fields);
  if (size > MAX_DOCUMENT_BYTES) {
    throw invalidArgument(
      `Document '${name}' cannot be written because its size (${size.toLocaleString('en-US')} bytes) exceeds the maximum allowed size of ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')} bytes.`,
    );
  }
  const longName = longFieldName(fields);
  if (longName) {
    throw invalidArgument(
      `Document '${name}' cannot be written because field name '${longName.slice(0, 40)}…' is longer than ${MAX_FIELD_NAME_BYTES} bytes.`,
    );
  }
  if (fieldsDepth(fields) > MAX_DEPTH) {
    throw invalidArgument(
      `Document '${name}' cannot be written because it exceeds the maximum depth of ${MAX_DEPTH}.`,
    );
  }
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function addNumbers(current: Value, operand: Value): Value {
  if ('integerValue' in current && 'integerValue' in operand) {
    let sum = BigInt(current.integerValue) + BigInt(operand.integerValue);
    // Firestore saturates integer increments instead of overflowing.
    if (sum > INT64_MAX) sum = INT64_MAX;
    if (sum < INT64_MIN) sum = INT64_MIN;
    return { integerValue: sum.toString() };
  }
  const a =
    'integerValue' in current
      ? Number(current.integerValue)
      : (current as { doubleValue: number }).doubleValue;
  const b =
    'integerValue' in operand
      ? Number(operand.integerValue)
      : (operand as { doubleValue: number }).doubleValue;
  return { doubleValue: a + b };
}

function applyTransform(
  fields: Record<string, Value>,
  transform: FieldTransform,
  commitTime: Timestamp,
): Value {
  const segments = parseFieldPath(transform.fieldPath);
  const current = getField(fields, segments);
  let result: Value;
  let reported: Value | null = null;
  if (transform.setToServerValue !== undefined) {
    if (transform.setToServerValue !== 'REQUEST_TIME') {
      throw invalidArgument(`Unsupported server value: ${transform.setToServerValue}`);
    }
    result = { timestampValue: { ...commitTime } };
  } else if (transform.increment !== undefined) {
    requireNumber(transform.increment, 'increment');
    result = isNumber(current) ? addNumbers(current, transform.increment) : cloneValue(transform.increment);
  } else if (transform.maximum !== undefined || transform.minimum !== undefined) {
    const operand = (transform.maximum ?? transform.minimum)!;
    requireNumber(operand, transform.maximum !== undefined ? 'maximum' : 'minimum');
    if (!isNumber(current)) result = cloneValue(operand);
    else if (isNaNValue(current) || isNaNValue(operand)) result = { doubleValue: Number.NaN };
    else {
      const order = compareValues(operand, current);
      const takeOperand = transform.maximum !== undefined ? order > 0 : order < 0;
      result = takeOperand ? cloneValue(operand) : current;
    }
  } else if (transform.appendMissingElements !== undefined) {
    const values =
      'arrayValue' in (current ?? {})
        ? [...((current as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [])]
        : [];
    for (const element of transform.appendMissingElements.values ?? []) {
      if (!arrayContains(values, element)) values.push(cloneValue(element));
    }
    result = { arrayValue: { values } };
    reported = { nullValue: 'NULL_VALUE' };
  } else if (transform.removeAllFromArray !== undefined) {
    const removals = transform.removeAllFromArray.values ?? [];
    const values =
      current && 'arrayValue' in current
        ? (current.arrayValue.values ?? []).filter((v) => !arrayContains(removals, v))
        : [];
    result = { arrayValue: { values } };
    reported = { nullValue: 'NULL_VALUE' };
  } else {
    throw invalidArgument(`Field transform on ${transform.fieldPath} has no operation.`);
  }
  setField(fields, segments, result);
  return reported ?? cloneValue(result);
}

function requireNumber(value: Value, what: string): void {
  if (!isNumber(value)) throw invalidArgument(`The ${what} transform requires a numeric operand.`);
}
