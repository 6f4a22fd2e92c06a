import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { DeviceAuthority } from './auth-hook.ts';
import { applyDynsecCommand } from './dynsec-commands.ts';
import { checkAcl, type DynsecClient, type DynsecConfig, mayConnect } from './dynsec-model.ts';
import { brokerLogs } from './logs.ts';
import { DYNSEC_CONTROL_TOPIC, DYNSEC_RESPONSE_TOPIC } from './roles.ts';

// The broker `npm start` and the tests use when Mosquitto is not installed: aedes (MQTT 3.1.1) enforcing
// the very same dynamic-security file and ACL semantics, and answering the same `$CONTROL` commands.
// Differences from Mosquitto, by design of aedes: MQTT 3.1.1 only; no `$share/<group>/` subscriptions (so
// one bridge instance, subscribing plainly); sessions and retained messages are kept in memory; a publish
// outside the client's ACL disconnects the client (Mosquitto drops the message).

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  wsPort?: number;
  /** MQTT over TLS and over secure WebSockets (0 → a free port), with this certificate and key (PEM). */
  tlsPort?: number;
  wssPort?: number;
  tls?: { cert: string; key: string };
  /** Mosquitto-format dynamic-security JSON; read at start, rewritten after every change. */
  dynsecFile: string;
  /**
   * Ask this HTTP auth hook (auth-hook.ts, EMQX's request format) at CONNECT, publish and subscribe, as a
   * clustered broker would, instead of deciding from the file in this process, and leave `$CONTROL` commands
   * to the dynsec responder. Delivery to subscribers is still checked here, from the file (re-read when it
   * changes): aedes's forward check cannot wait for HTTP.
   */
  authHookUrl?: string;
}

export interface EmbeddedBroker {
  port: number;
  wsPort: number | null;
  tlsPort: number | null;
  wssPort: number | null;
  stop(): Promise<void>;
}

const SHARE = /^\$share\/[^/]+\//;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const config = JSON.parse(readFileSync(options.dynsecFile, 'utf8')) as DynsecConfig;
  const usernames = new WeakMap<Client, string>();
  const connected = new Set<Client>();

  const save = () => {
    const tmp = `${options.dynsecFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(config, null, 2), { mode: 0o600 });
    renameSync(tmp, options.dynsecFile);
  };
  const accountOf = (client: Client | null): DynsecClient | undefined => {
    const username = client ? usernames.get(client) : undefined;
    return username === undefined ? undefined : config.clients.find((c) => c.username === username);
  };
  const kick = (username: string) => {
    for (const client of connected) if (usernames.get(client) === username) client.close();
  };

  const hook = options.authHookUrl ? authHookClient(options.authHookUrl) : null;
  const receiveCheck = options.authHookUrl ? new DeviceAuthority(options.dynsecFile) : null;
  const refuse = (returnCode: number, message: string) => {
    const error = new Error(message) as AuthenticateError;
    error.returnCode = returnCode;
    return error;
  };

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (hook) {
        const body = {
          clientid: client.id,
          username: username ?? '',
          password: password?.toString('utf8') ?? '',
        };
        void hook('/mqtt/auth', body).then((allowed) => {
          if (!allowed) return done(refuse(5, 'not authorised'), false);
          usernames.set(client, username as string);
          done(null, true);
        });
        return;
      }
      const account = config.clients.find((c) => c.username === username);
      if (account?.clientid !== undefined && account.clientid !== client.id) {
        // Mosquitto's answer to a pinned client under another id: CONNACK 5 (not authorised). aedes checks
        // this before it registers the client, so whoever holds that id stays connected.
        brokerLogs.clientIdRejected(account.username, client.id);
        return done(refuse(5, 'not authorised'), false);
      }
      if (!password || !mayConnect(account, client.id, password.toString('utf8'))) {
        brokerLogs.authRejected(username ?? '(anonymous)');
        return done(refuse(4, 'bad username or password'), false);
      }
      usernames.set(client, username as string);
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      if (client === null) return callback(null); // a last will the broker publishes itself
      if (hook) {
        const body = { clientid: client.id, username: usernames.get(client) ?? '', topic: packet.topic };
        // Like a broker that knows nothing of dynamic security: `$CONTROL` commands are an ordinary topic, and
        // the dynsec responder (dynsec-responder.ts) answers them.
        void hook('/mqtt/acl', { ...body, action: 'publish' }).then((allowed) =>
          callback(allowed ? null : new Error('publish not authorised')),
        );
        return;
      }
      const account = accountOf(client);
      if (
        !account ||
        packet.topic.startsWith('$SYS') ||
        !checkAcl(config, account, 'publishClientSend', packet.topic)
      ) {
        brokerLogs.publishDenied(account?.username ?? '?', packet.topic);
        return callback(new Error('publish not authorised'));
      }
      if (packet.topic === DYNSEC_CONTROL_TOPIC) handleControl(packet.payload);
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      if (hook && !SHARE.test(sub.topic)) {
        const body = { clientid: client.id, username: usernames.get(client) ?? '', topic: sub.topic };
        void hook('/mqtt/acl', { ...body, action: 'subscribe' }).then((allowed) =>
          callback(null, allowed ? sub : null),
        );
        return;
      }
      const account = accountOf(client);
      if (!account || !checkAcl(config, account, 'subscribe', sub.topic)) {
        brokerLogs.subscribeDenied(account?.username ?? '?', sub.topic);
        return callback(null, null); // SUBACK 0x80, connection stays (as Mosquitto)
      }
      if (SHARE.test(sub.topic)) {
        // aedes has no shared subscriptions (and a rewritten one breaks persistent sessions): refuse openly.
        brokerLogs.subscribeDenied(account.username, sub.topic);
        return callback(null, null);
      }
      callback(null, sub);
    },
    authorizeForward(client, packet) {
      if (receiveCheck) {
        const username = usernames.get(client);
        return username !== undefined && receiveCheck.mayAccess(username, 'receive', packet.topic)
          ? packet
          : null;
      }
      const account = accountOf(client);
      return account && checkAcl(config, account, 'publishClientReceive', packet.topic) ? packet : null;
    },
  });
  broker.on('clientReady', (client) => connected.add(client));
  broker.on('clientDisconnect', (client) => connected.delete(client));
  broker.on('clientError', (client, error) => brokerLogs.clientError(client.id, error.message));

  function handleControl(payload: Buffer | string) {
    let commands: unknown[] = [];
    try {
      const body = JSON.parse(payload.toString());
      commands = Array.isArray(body?.commands) ? body.commands : [];
    } catch {
      return;
    }
    const responses = [];
    let changed = false;
    for (const command of commands) {
      const outcome = applyDynsecCommand(config, (command ?? {}) as Record<string, unknown>);
      responses.push(outcome.response);
      changed ||= outcome.changed;
      for (const username of outcome.kick) kick(username);
    }
    if (changed) save();
    broker.publish(
      {
        cmd: 'publish',
        topic: DYNSEC_RESPONSE_TOPIC,
        payload: Buffer.from(JSON.stringify({ responses })),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    );
  }

  const listen = async <T extends Server | HttpServer>(server: T, port: number): Promise<T> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => resolve());
    });
    return server;
  };
  const sockets: WebSocketServer[] = [];
  const webSockets = (server: HttpServer) => {
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket, req) => broker.handle(createWebSocketStream(socket), req));
    sockets.push(wss);
    return server;
  };
  const servers: Array<Server | HttpServer> = [];
  const tcp = await listen(createServer(broker.handle), options.port);
  servers.push(tcp);
  const http =
    options.wsPort === undefined ? null : await listen(webSockets(createHttpServer()), options.wsPort);
  const tls = options.tls;
  const secure =
    tls && options.tlsPort !== undefined
      ? await listen(createTlsServer({ ...tls, minVersion: 'TLSv1.2' }, broker.handle), options.tlsPort)
      : null;
  const https =
    tls && options.wssPort !== undefined
      ? await listen(webSockets(createHttpsServer({ ...tls, minVersion: 'TLSv1.2' })), options.wssPort)
      : null;
  for (const server of [http, secure, https]) if (server) servers.push(server);

  const portOf = (s: Server | HttpServer | null) => {
    const address = s?.address();
    return typeof address === 'object' && address ? address.port : null;
  };

  return {
    port: portOf(tcp) as number,
    wsPort: portOf(http),
    tlsPort: portOf(secure),
    wssPort: portOf(https),
    async stop() {
      for (const client of connected) client.close();
      for (const wss of sockets) wss.close();
      await Promise.all([
        ...servers.map((server) => new Promise<void>((r) => server.close(() => r()))),
        new Promise<void>((r) => broker.close(() => r())),
      ]);
    },
  };
}

/** POSTs to the hook; anything but an "allow" (an error, a timeout, a refusal) is a refusal. */
function authHookClient(baseUrl: string) {
  return async (path: string, body: Record<string, string>): Promise<boolean> => {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      const answer = (await response.json().catch(() => null)) as { result?: unknown } | null;
      return response.status === 200 && answer?.result === 'allow';
    } catch {
      return false;
    }
  };
}
