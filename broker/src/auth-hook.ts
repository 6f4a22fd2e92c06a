import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkAcl, type DynsecClient, type DynsecConfig, mayConnect } from './dynsec-model.ts';
import { brokerLogs } from './logs.ts';
import { SERVICE_USERS } from './roles.ts';

// Device authentication and authorisation over HTTP, for brokers that cannot load Mosquitto's
// dynamic-security plugin: an EMQX cluster (HTTP authentication + HTTP authorisation), VerneMQ (webhooks) or
// Mosquitto with mosquitto-go-auth's HTTP backend. It answers from the very same dynamic-security file
// (hashed passwords, client-id pins, per-device roles and ACLs), so devices keep their credentials when the
// broker changes. docs/SCALING.md, "Broker-agnostic device auth", has each broker's configuration.
//
// Beyond Mosquitto's exact pins, service accounts without one are pinned to a client-id prefix
// (functions-relay-…, admin-…): they run many short connections at once, so one exact id cannot work, but a
// prefix still keeps them off every device's and bridge's id.
//
// Caching: a successful CONNECT check is remembered (keyed by username, client id and a SHA-256 of the
// password, never the password) and every ACL answer too, for `cacheTtlMs`; both caches are dropped whenever
// the file changes (a revoked or re-keyed device is refused at its next CONNECT).

export interface AuthHookOptions {
  /** Mosquitto-format dynamic-security JSON (the broker's own file, or a copy kept in step). */
  dynsecFile: string;
  host?: string;
  /** 0: a free port (in-process use only). */
  port?: number;
  cacheTtlMs?: number;
  /** Client-id prefixes for accounts without an exact pin. */
  clientIdPrefixes?: Record<string, string>;
}

export interface RunningAuthHook {
  url: string;
  port: number;
  stats(): { checks: number; cacheHits: number };
  stop(): Promise<void>;
}

export type AuthAction = 'publish' | 'subscribe' | 'receive';

export const DEFAULT_CLIENT_ID_PREFIXES: Record<string, string> = {
  [SERVICE_USERS.functionsRelay]: 'functions-relay-',
  [SERVICE_USERS.admin]: 'admin-',
};

/** The decisions, independent of any broker's wire format. */
export class DeviceAuthority {
  private config: DynsecConfig = { clients: [], roles: [], defaultACLAccess: {} as never };
  private accounts = new Map<string, DynsecClient>();
  private loadedVersion = '';
  private readonly connects = new Map<string, number>();
  private readonly acls = new Map<string, { allow: boolean; until: number }>();
  checks = 0;
  cacheHits = 0;

  constructor(
    private readonly dynsecFile: string,
    private readonly cacheTtlMs = 30_000,
    private readonly prefixes: Record<string, string> = DEFAULT_CLIENT_ID_PREFIXES,
  ) {
    this.reloadIfChanged();
  }

  mayConnect(username: string, clientId: string, password: string): boolean {
    this.checks++;
    this.reloadIfChanged();
    const account = this.accounts.get(username);
    const prefix = this.prefixes[username];
    if (account && account.clientid === undefined && prefix !== undefined && !clientId.startsWith(prefix))
      return false;
    const key = `${username}\n${clientId}\n${createHash('sha256').update(password).digest('base64')}`;
    const until = this.connects.get(key);
    if (until !== undefined && until > Date.now()) {
      this.cacheHits++;
      return true;
    }
    const allowed = mayConnect(account, clientId, password);
    if (allowed) this.connects.set(key, Date.now() + this.cacheTtlMs);
    return allowed;
  }

  mayAccess(username: string, action: AuthAction, topic: string): boolean {
    this.checks++;
    this.reloadIfChanged();
    const key = `${username}\n${action}\n${topic}`;
    const cached = this.acls.get(key);
    if (cached && cached.until > Date.now()) {
      this.cacheHits++;
      return cached.allow;
    }
    const account = this.accounts.get(username);
    const access =
      action === 'publish'
        ? 'publishClientSend'
        : action === 'receive'
          ? 'publishClientReceive'
          : 'subscribe';
    const allow =
      account !== undefined &&
      !account.disabled &&
      !(action === 'publish' && topic.startsWith('$SYS')) &&
      checkAcl(this.config, account, access, topic);
    this.acls.set(key, { allow, until: Date.now() + this.cacheTtlMs });
    return allow;
  }

  private reloadIfChanged(): void {
    const stat = statSync(this.dynsecFile);
    const version = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (version === this.loadedVersion) return;
    this.config = JSON.parse(readFileSync(this.dynsecFile, 'utf8')) as DynsecConfig;
    this.accounts = new Map(this.config.clients.map((c) => [c.username, c]));
    this.loadedVersion = version;
    this.connects.clear();
    this.acls.clear();
  }
}

interface Answer {
  status: number;
  body?: unknown;
  allowed: boolean;
}

const emqx = (allowed: boolean): Answer => ({
  status: 200,
  body: allowed ? { result: 'allow', is_superuser: false } : { result: 'deny' },
  allowed,
});
const goAuth = (allowed: boolean): Answer => ({ status: allowed ? 200 : 403, allowed });
const verne = (allowed: boolean): Answer => ({
  status: 200,
  body: allowed ? { result: 'ok' } : { result: { error: 'not_allowed' } },
  allowed,
});
const unknownRoute: Answer = { status: 404, allowed: false };

/** mosquitto-go-auth's `acc` bits: 1 read (receive), 2 write (publish), 4 subscribe. */
function goAuthAction(acc: unknown): AuthAction {
  return acc === 2 || acc === 3 ? 'publish' : acc === 4 ? 'subscribe' : 'receive';
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Routes, each broker's documented request and answer:
 *  - EMQX HTTP authentication `POST /mqtt/auth` {clientid, username, password} and HTTP authorisation
 *    `POST /mqtt/acl` {clientid, username, topic, action: publish|subscribe} → 200 {"result":"allow"|"deny"};
 *  - mosquitto-go-auth HTTP backend (status response mode) `POST /go-auth/user` {username, password, clientid},
 *    `POST /go-auth/acl` {username, clientid, topic, acc} → 200 allowed, 403 refused; `/go-auth/superuser`
 *    is always 403 (nobody bypasses the ACL);
 *  - VerneMQ webhooks `POST /vernemq` with the `vernemq-hook` header auth_on_register, auth_on_publish,
 *    auth_on_subscribe → {"result":"ok"} or {"result":{"error":"not_allowed"}}.
 */
function answer(
  authority: DeviceAuthority,
  path: string,
  hook: string,
  body: Record<string, unknown>,
): Answer {
  const username = str(body.username);
  switch (path) {
    case '/mqtt/auth':
      return emqx(authority.mayConnect(username, str(body.clientid), str(body.password)));
    case '/mqtt/acl':
      return emqx(
        authority.mayAccess(username, body.action === 'publish' ? 'publish' : 'subscribe', str(body.topic)),
      );
    case '/go-auth/user':
      return goAuth(authority.mayConnect(username, str(body.clientid), str(body.password)));
    case '/go-auth/acl':
      return goAuth(authority.mayAccess(username, goAuthAction(body.acc), str(body.topic)));
    case '/go-auth/superuser':
      return goAuth(false);
    case '/vernemq': {
      if (hook === 'auth_on_register')
        return verne(authority.mayConnect(username, str(body.client_id), str(body.password)));
      if (hook === 'auth_on_publish') return verne(authority.mayAccess(username, 'publish', str(body.topic)));
      if (hook === 'auth_on_subscribe') {
        const topics = Array.isArray(body.topics) ? (body.topics as Array<{ topic?: unknown }>) : [];
        const each = (t: { topic?: unknown }) => authority.mayAccess(username, 'subscribe', str(t.topic));
        return verne(topics.length > 0 && topics.every(each));
      }
      return unknownRoute;
    }
    default:
      return unknownRoute;
  }
}

const MAX_BODY = 16 * 1024;

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null);
      } catch {
        resolve(null);
      }
    });
    req.on('error', () => resolve(null));
  });
}

export async function startAuthHook(options: AuthHookOptions): Promise<RunningAuthHook> {
  const authority = new DeviceAuthority(options.dynsecFile, options.cacheTtlMs, options.clientIdPrefixes);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] as string;
    const body = req.method === 'POST' ? await readJson(req) : null;
    // Anything unreadable is refused, never allowed (every one of these brokers treats a 4xx as deny).
    const result: Answer = body
      ? answer(authority, path, str(req.headers['vernemq-hook']), body)
      : { status: 400, allowed: false };
    if (!result.allowed && result.status !== 404)
      brokerLogs.authHookRefused(path, str(body?.username), str(body?.topic));
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(result.body === undefined ? '' : JSON.stringify(result.body));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    stats: () => ({ checks: authority.checks, cacheHits: authority.cacheHits }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
