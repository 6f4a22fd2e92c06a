import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CONFIG_SCRIPT_PATH,
  localRuntimeConfig,
  type RuntimeConfig,
  renderConfigScript,
} from '@esp32cloud/hosting/runtime-config';
import { headersForPath, localHostingHeaders } from '../../scripts/lib/hosting-headers.ts';
import type { Stack } from './stack.ts';

// A tiny stand-in for the Hosting emulator in browser tests: serves hosting/dist on 127.0.0.1 (free port) with
// the SPA fallback, answers CONFIG_SCRIPT_PATH from memory for one stack, and proxies /api/** to that stack's api
// function, the way Hosting's rewrite does. Starting it costs milliseconds, so every suite gets its own.

export const distDir = path.resolve(import.meta.dirname, '../../hosting/dist');

let privateBuild: Promise<string> | null = null;

/**
 * Builds the app once per process into a temporary folder (removed at exit) and returns it. Suites serve this
 * copy, so a concurrent `npm run build` or `npm start` emptying hosting/dist can never pull files from under a
 * running browser test.
 */
export function buildWebApp(): Promise<string> {
  privateBuild ??= (async () => {
    const { build } = await import('vite');
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'esp32-web-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await build({
      configFile: path.resolve(import.meta.dirname, '../../hosting/vite.config.ts'),
      mode: 'emulators',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    return outDir;
  })();
  return privateBuild;
}

export interface WebServer {
  url: string;
  stop(): Promise<void>;
}

export interface WebServerOptions {
  config: RuntimeConfig;
  /** The api function's base URL (Stack.apiUrl); /api/** is answered 502 without it. */
  apiUrl?: string | null;
  /** The built app to serve: default a private build (buildWebApp); hosting/dist with `distDir`. */
  root?: string;
  /** A port chosen beforehand (freePort()), when the stack must know the app's URL (APP_URL); default any. */
  port?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** The runtime config that points the app at a stack's emulators. */
export function runtimeConfigForStack(stack: Stack): RuntimeConfig {
  const [firestoreHost, firestorePort] = (stack.firestoreHost ?? '127.0.0.1:1').split(':');
  return localRuntimeConfig({
    projectId: stack.projectId,
    authEmulatorUrl: `http://${stack.authHost ?? '127.0.0.1:1'}`,
    firestoreHost: firestoreHost!,
    firestorePort: Number(firestorePort),
  });
}

function emulatorOrigins(config: RuntimeConfig): string[] {
  if (!config.emulators) return [];
  const { auth, firestore } = config.emulators;
  return [new URL(auth).origin, `http://${firestore.host}:${firestore.port}`];
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = options.root ?? (await buildWebApp());
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: run \`npm run build -w hosting\` first`);
  }
  const configScript = renderConfigScript(options.config);
  // Hosting's own headers (firebase.json), with this stack's emulator origins allowed to connect.
  const headerRules = localHostingHeaders(emulatorOrigins(options.config));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    for (const [name, value] of Object.entries(headersForPath(headerRules, url.pathname))) {
      res.setHeader(name, value);
    }
    if (url.pathname === CONFIG_SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.js']!, 'cache-control': 'no-store' });
      res.end(configScript);
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      proxy(req, res, options.apiUrl ?? null);
      return;
    }
    serveStatic(root, url.pathname, res);
  });
  // A port taken meanwhile fails the start at once instead of leaving it waiting.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  const decoded = decodeURIComponent(pathname);
  let file = path.normalize(path.join(root, decoded));
  // Outside the root, a folder or a missing file: the SPA fallback, as Hosting's `** → /index.html`.
  if (!file.startsWith(root + path.sep) || !existsSync(file) || statSync(file).isDirectory()) {
    file = path.join(root, 'index.html');
  }
  const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, apiUrl: string | null): void {
  if (!apiUrl) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'no_api', message: 'This test server has no API behind it' } }));
    return;
  }
  const target = new URL(apiUrl);
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: target.pathname + (req.url ?? ''),
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'bad_gateway', message: error.message } }));
  });
  req.pipe(upstream);
}
