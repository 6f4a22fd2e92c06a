import { readFileSync } from 'node:fs';
import path from 'node:path';

// The security headers Hosting sends (firebase.json → hosting.headers, docs/SECURITY.md "Hosting headers") are
// written once, for production. Local runs serve the same headers with one difference: the app talks to the
// Auth and Firestore emulators on their own 127.0.0.1 ports, so those exact origins are added to the CSP's
// connect-src. Production never allows a connection to the visitor's own machine.

export interface HostingHeaderRule {
  source: string;
  headers: Array<{ key: string; value: string }>;
}

const firebaseJson = path.resolve(import.meta.dirname, '../../firebase.json');

export function productionHostingHeaders(): HostingHeaderRule[] {
  const config = JSON.parse(readFileSync(firebaseJson, 'utf8')) as {
    hosting: { headers?: HostingHeaderRule[] };
  };
  return config.hosting.headers ?? [];
}

/** Adds `origins` to connect-src of every Content-Security-Policy. */
export function withConnectOrigins(rules: HostingHeaderRule[], origins: string[]): HostingHeaderRule[] {
  if (origins.length === 0) return rules;
  return rules.map((rule) => ({
    source: rule.source,
    headers: rule.headers.map((header) =>
      header.key.toLowerCase() === 'content-security-policy'
        ? {
            key: header.key,
            value: header.value.replace(
              /(^|;\s*)connect-src ([^;]*)/,
              `$1connect-src $2 ${origins.join(' ')}`,
            ),
          }
        : header,
    ),
  }));
}

/** The headers of a local run whose app talks to these emulator origins (http://127.0.0.1:PORT). */
export function localHostingHeaders(emulatorOrigins: string[]): HostingHeaderRule[] {
  return withConnectOrigins(productionHostingHeaders(), emulatorOrigins);
}

/**
 * Headers for one served path, as Hosting applies its rules: every rule whose glob matches adds its headers.
 * Only the glob forms firebase.json uses are understood: "**" and exact paths.
 */
export function headersForPath(rules: HostingHeaderRule[], pathname: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const rule of rules) {
    if (rule.source !== '**' && rule.source !== pathname) continue;
    for (const { key, value } of rule.headers) headers[key.toLowerCase()] = value;
  }
  return headers;
}
