import { invalidArgument } from './errors.ts';
import type { Value } from './types.ts';

// Field paths as the wire carries them: dot-separated segments, a segment quoted with backticks when it is
// not a simple identifier (`a.b`.c), with \` and \\ escapes inside quotes.

const simpleSegment = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

const parsedCache = new Map<string, string[]>();

export function parseFieldPath(path: string): string[] {
  const cached = parsedCache.get(path);
  if (cached) return cached;
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (quoted) {
      if (char === '\\') {
        i++;
        if (i >= path.length) throw invalidArgument(`Invalid field path: ${path}`);
        current += path[i];
      } else if (char === '`') {
        quoted = false;
      } else {
        current += char;
      }
    } else if (char === '`') {
      quoted = true;
      wasQuoted = true;
    } else if (char === '.') {
      if (current === '' && !wasQuoted) throw invalidArgument(`Invalid field path: ${path}`);
      segments.push(current);
      current = '';
      wasQuoted = false;
    } else {
      current += char;
    }
  }
  if (quoted || (current === '' && !wasQuoted)) throw invalidArgument(`Invalid field path: ${path}`);
  segments.push(current);
  if (parsedCache.size > 10_000) parsedCache.clear();
  parsedCache.set(path, segments);
  return segments;
}

export function formatFieldPath(segments: string[]): string {
  return segments
    .map((segment) =>
      simpleSegment.test(segment) ? segment : '`' + segment.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`',
    )
    .join('.');
}

export function canonicalFieldPath(path: string): string {
  return formatFieldPath(parseFieldPath(path));
}

export function getField(fields: Record<string, Value> | undefined, segments: string[]): Value | undefined {
  let current: Record<string, Value> | undefined = fields;
  for (let i = 0; i < segments.length; i++) {
    if (!current || !Object.hasOwn(current, segments[i])) return undefined;
    const value: Value = current[segments[i]];
    if (i === segments.length - 1) return value;
    if (!('mapValue' in value)) return undefined;
    current = value.mapValue.fields;
  }
  return undefined;
}

/** Sets a value, creating intermediate maps (and replacing non-map values on the way). */
export function setField(fields: Record<string, Value>, segments: string[], value: Value): void {
  let current = fields;
  for (let i = 0; i < segments.length - 1; i++) {
    const existing = current[segments[i]];
    if (!existing || !('mapValue' in existing)) {
      const created: Value = { mapValue: { fields: {} } };
      current[segments[i]] = created;
      current = (created as { mapValue: { fields: Record<string, Value> } }).mapValue.fields;
    } else {
      if (!existing.mapValue.fields) existing.mapValue.fields = {};
      current = existing.mapValue.fields;
    }
  }
  current[segments[segments.length - 1]] = value;
}

export function deleteField(fields: Record<string, Value>, segments: string[]): void {
  let current: Record<string, Value> | undefined = fields;
  for (let i = 0; i < segments.length - 1; i++) {
    const existing: Value | undefined = current?.[segments[i]];
    if (!existing || !('mapValue' in existing)) return;
    current = existing.mapValue.fields;
  }
  if (current) delete current[segments[segments.length - 1]];
}

/** True when `prefix` is a prefix of (or equal to) `segments`. */
export function isPrefixPath(prefix: string[], segments: string[]): boolean {
  if (prefix.length > segments.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== segments[i]) return false;
  return true;
}
