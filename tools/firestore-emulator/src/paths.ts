import { invalidArgument } from './errors.ts';

// Resource names: projects/{project}/databases/{database}/documents/{path}. Inside the store, documents are
// keyed by the path relative to `documents` ('devices/ESP32_AA5510').

export interface DatabaseName {
  projectId: string;
  databaseId: string;
}

export function databaseName(db: DatabaseName): string {
  return `projects/${db.projectId}/databases/${db.databaseId}`;
}

export function parseDatabaseName(name: string): DatabaseName {
  const parts = name.split('/');
  if (parts.length !== 4 || parts[0] !== 'projects' || parts[2] !== 'databases' || !parts[1] || !parts[3]) {
    throw invalidArgument(`Invalid database name: ${name}`);
  }
  return { projectId: parts[1], databaseId: parts[3] };
}

export interface ResourcePath extends DatabaseName {
  /** Relative to documents; '' for the database root. */
  path: string;
  segments: string[];
}

/** Parses projects/p/databases/d/documents[/a/b...]. */
export function parseResourceName(name: string): ResourcePath {
  const parts = name.split('/');
  if (
    parts.length < 5 ||
    parts[0] !== 'projects' ||
    parts[2] !== 'databases' ||
    parts[4] !== 'documents' ||
    !parts[1] ||
    !parts[3]
  ) {
    throw invalidArgument(`Invalid resource name: ${name}`);
  }
  const segments = parts.slice(5);
  if (segments.some((segment) => segment === '')) throw invalidArgument(`Invalid resource name: ${name}`);
  return { projectId: parts[1], databaseId: parts[3], path: segments.join('/'), segments };
}

export function parseDocumentName(name: string): ResourcePath {
  const parsed = parseResourceName(name);
  if (parsed.segments.length === 0 || parsed.segments.length % 2 !== 0) {
    throw invalidArgument(
      `Invalid document name: "${name}" (document paths must have an even number of segments)`,
    );
  }
  validateDocumentSegments(parsed.segments, name);
  return parsed;
}

function validateDocumentSegments(segments: string[], name: string): void {
  for (const segment of segments) {
    if (segment === '.' || segment === '..')
      throw invalidArgument(`Invalid path segment "${segment}" in ${name}`);
    if (/^__.*__$/.test(segment)) {
      throw invalidArgument(`Resource id "${segment}" is invalid because it is reserved.`);
    }
    if (Buffer.byteLength(segment) > 1500) throw invalidArgument(`Resource id is too long: ${name}`);
  }
}

export function documentResourceName(db: DatabaseName, path: string): string {
  return `${databaseName(db)}/documents/${path}`;
}

export function parentPath(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Compares slash-separated paths segment by segment (each segment in UTF-8 order), as Firestore orders document
 * names, without splitting: a '/' ends a segment, so it sorts before every other character.
 */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca === 0x2f) return -1;
    if (cb === 0x2f) return 1;
    const surrogateA = ca >= 0xd800 && ca <= 0xdfff;
    const surrogateB = cb >= 0xd800 && cb <= 0xdfff;
    if (surrogateA === surrogateB) return ca < cb ? -1 : 1;
    return surrogateA ? 1 : -1;
  }
  return a.length - b.length;
}

/** Orders strings by their UTF-8 bytes (code points), as Firestore does; JS's < orders UTF-16 units. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const surrogateA = ca >= 0xd800 && ca <= 0xdfff;
      const surrogateB = cb >= 0xd800 && cb <= 0xdfff;
      if (surrogateA === surrogateB) return ca < cb ? -1 : 1;
      // A surrogate pair encodes a code point above U+FFFF, which sorts after every BMP character.
      return surrogateA ? 1 : -1;
    }
  }
  return a.length - b.length;
}
