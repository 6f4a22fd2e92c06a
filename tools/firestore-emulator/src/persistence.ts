import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDatabaseName } from './paths.ts';
import type { FirestoreService } from './service.ts';
import type { Document, Timestamp, Value } from './types.ts';

// Import/export in readable JSON: <dir>/firestore_export/<projectId>/<databaseId>.json holds
// { "documents": [ { "path", "createTime", "updateTime", "fields" } ] } with values in the Firestore REST
// JSON form ({"stringValue": "…"}, {"integerValue": "5"}, {"timestampValue": "2026-01-01T00:00:00.000000Z"},
// bytes as base64, references as full resource names), ordered by path.

export const EXPORT_SUBDIRECTORY = 'firestore_export';

type JsonValue = Record<string, unknown>;

function timestampToIso(timestamp: Timestamp): string {
  const millis = Number(BigInt(timestamp.seconds ?? '0') * 1000n);
  const base = new Date(millis).toISOString().slice(0, 19);
  return `${base}.${String(timestamp.nanos ?? 0).padStart(9, '0')}Z`;
}

function isoToTimestamp(iso: string): Timestamp {
  const match = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!match) throw new Error(`Invalid timestamp: ${iso}`);
  const seconds = Math.floor(Date.parse(`${match[1]}Z`) / 1000);
  if (Number.isNaN(seconds)) throw new Error(`Invalid timestamp: ${iso}`);
  return { seconds: String(seconds), nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

export function valueToJson(value: Value): JsonValue {
  if ('timestampValue' in value) return { timestampValue: timestampToIso(value.timestampValue) };
  if ('bytesValue' in value) return { bytesValue: Buffer.from(value.bytesValue).toString('base64') };
  if ('doubleValue' in value && !Number.isFinite(value.doubleValue))
    return { doubleValue: String(value.doubleValue) };
  if ('arrayValue' in value)
    return { arrayValue: { values: (value.arrayValue.values ?? []).map(valueToJson) } };
  if ('mapValue' in value) return { mapValue: { fields: fieldsToJson(value.mapValue.fields ?? {}) } };
  return value as JsonValue;
}

export function valueFromJson(json: JsonValue): Value {
  if ('timestampValue' in json) return { timestampValue: isoToTimestamp(String(json.timestampValue)) };
  if ('bytesValue' in json) return { bytesValue: Buffer.from(String(json.bytesValue), 'base64') };
  if ('doubleValue' in json) return { doubleValue: Number(json.doubleValue) };
  if ('integerValue' in json) return { integerValue: String(json.integerValue) };
  if ('arrayValue' in json) {
    const values = ((json.arrayValue as { values?: JsonValue[] }).values ?? []).map(valueFromJson);
    return { arrayValue: { values } };
  }
  if ('mapValue' in json)
    return {
      mapValue: {
        fields: fieldsFromJson((json.mapValue as { fields?: Record<string, JsonValue> }).fields ?? {}),
      },
    };
  if ('nullValue' in json) return { nullValue: 'NULL_VALUE' };
  return json as unknown as Value;
}

function fieldsToJson(fields: Record<string, Value>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(fields).sort()) out[key] = valueToJson(fields[key]);
  return out;
}

function fieldsFromJson(fields: Record<string, JsonValue>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const key of Object.keys(fields)) out[key] = valueFromJson(fields[key]);
  return out;
}

export async function exportData(
  service: FirestoreService,
  directory: string,
  onlyProject?: string,
): Promise<number> {
  const root = path.join(directory, EXPORT_SUBDIRECTORY);
  let count = 0;
  for (const db of service.allDatabases()) {
    const { projectId, databaseId } = parseDatabaseName(db.name);
    if (onlyProject && projectId !== onlyProject) continue;
    const documents = [...db.all()]
      .map((doc) => ({
        path: doc.name.slice(db.name.length + '/documents/'.length),
        createTime: timestampToIso(doc.createTime),
        updateTime: timestampToIso(doc.updateTime),
        fields: fieldsToJson(doc.fields),
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (documents.length === 0) continue;
    const dir = path.join(root, projectId);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${databaseId}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify({ documents }, null, 2) + '\n');
    await rename(`${file}.tmp`, file);
    count += documents.length;
  }
  return count;
}

export async function importData(service: FirestoreService, directory: string): Promise<number> {
  const root = path.join(directory, EXPORT_SUBDIRECTORY);
  let projects: string[];
  try {
    projects = await readdir(root);
  } catch {
    return 0;
  }
  let count = 0;
  for (const projectId of projects) {
    let files: string[];
    try {
      files = (await readdir(path.join(root, projectId))).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      const databaseId = file.slice(0, -'.json'.length);
      const db = service.database(projectId, databaseId);
      const content = JSON.parse(await readFile(path.join(root, projectId, file), 'utf8')) as {
        documents?: {
          path: string;
          createTime?: string;
          updateTime?: string;
          fields?: Record<string, JsonValue>;
        }[];
      };
      for (const entry of content.documents ?? []) {
        const now = new Date().toISOString();
        const doc: Document = {
          name: `${db.name}/documents/${entry.path}`,
          fields: fieldsFromJson(entry.fields ?? {}),
          createTime: isoToTimestamp(entry.createTime ?? now),
          updateTime: isoToTimestamp(entry.updateTime ?? entry.createTime ?? now),
        };
        db.load(doc, entry.path);
        count++;
      }
    }
  }
  return count;
}
