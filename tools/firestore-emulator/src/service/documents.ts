import { randomBytes } from 'node:crypto';
import { parseFieldPath } from '../fieldPaths.ts';
import { project } from '../query.ts';
import type { Document } from '../types.ts';

// Small document helpers shared by the read and write rooms of the service.

/** The document path relative to `…/documents/` of a full resource name ('' when it has none). */
export function relativePath(name: string): string {
  const index = name.indexOf('/documents/');
  return index < 0 ? '' : name.slice(index + '/documents/'.length);
}

/** A 20-character id from the same alphabet the SDKs use for auto ids. */
export function randomId(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(20);
  let id = '';
  for (const byte of bytes) id += chars[byte % chars.length];
  return id;
}

/** The document with only the fields of a DocumentMask (all of it without a mask). */
export function maskDocument(doc: Document, mask: { fieldPaths?: string[] } | undefined): Document {
  if (!mask) return doc;
  return project(doc, (mask.fieldPaths ?? []).map(parseFieldPath));
}

/** Page tokens are the base64 of the next start offset. */
export function pageStart(pageToken: string | Buffer | undefined): number {
  if (!pageToken || pageToken.length === 0) return 0;
  const text = Buffer.isBuffer(pageToken) ? pageToken.toString('utf8') : pageToken;
  return Number.parseInt(Buffer.from(text, 'base64').toString('utf8'), 10) || 0;
}

export function pageToken(next: number): string {
  return Buffer.from(String(next)).toString('base64');
}
