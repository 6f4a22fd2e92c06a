import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type EmulatorOptions, resolveConfig } from './config.ts';
import { createLogger } from './logs.ts';
import { exportData, importData } from './persistence.ts';
import { protoRoot } from './proto.ts';
import { createEmulatorServer } from './server.ts';
import { FirestoreService } from './service.ts';

// Public entry point: start() runs the emulator in this process (tests) and the CLI (cli.ts) wraps it.

// ---- WebChannel transport wiring: src/webchannel/index.ts registers its handler in httpHandlers here. ----
import './webchannel/index.ts';
// ---- The v1 REST resource methods (documents) register in httpHandlers the same way. ----
import './rest/index.ts';
// ---- The data browser (/browser). ----
import { setBrowserDefaultProject } from './browser/index.ts';

// ----------------------------------------------------------------------------------------------------------

export type { AccessDecision, AccessRequest, AuthContext, Authorizer, QueryShape } from './authorizer.ts';
export { allowAll } from './authorizer.ts';
export type { EmulatorOptions } from './config.ts';
export { decodeIdToken, identityFromAuthorization, type RequestContext } from './context.ts';
export { Code, RpcError, type StatusCode } from './errors.ts';
export { applyCors, type HttpHandler, httpHandlers, readBody } from './http.ts';
export { exportData, importData } from './persistence.ts';
export { codecFor, protoRoot } from './proto.ts';
export {
  type BidiStream,
  bidiMethods,
  type Emit,
  FirestoreService,
  serverStreamingMethods,
  unaryMethods,
} from './service.ts';
export type { Document, Timestamp, Value } from './types.ts';

/**
 * Preloaded into firebase-tools (`node -r <this> firebase.js emulators:start …`, with
 * FIRESTORE_EMULATOR_EXTERNAL_HOST=host:port) so its Functions emulator takes this emulator for its Firestore
 * emulator: it then registers the codebase's Firestore triggers here (README, "Cloud Functions triggers").
 */
export const firebaseToolsPreload = fileURLToPath(
  new URL('../firebase-tools/register-firestore.cjs', import.meta.url),
);

export interface RunningEmulator {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  /** host:port, the value for FIRESTORE_EMULATOR_HOST. */
  hostAndPort: string;
  projectId: string;
  service: FirestoreService;
  /** Where Firestore trigger events go (the Functions emulator's host:port; null: nowhere). */
  useFunctionsEmulator(hostAndPort: string | null): void;
  stop(): Promise<void>;
}

export async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const began = performance.now();
  const config = resolveConfig(options);
  const logger = createLogger(config.quiet);
  protoRoot();
  const service = new FirestoreService({
    transactionTimeoutMs: config.transactionTimeoutMs,
    historyRetentionMs: config.historyRetentionMs,
    requireIndexes: config.requireIndexes,
  });
  if (config.functionsEmulator) service.triggers.functionsEmulator = config.functionsEmulator;
  service.triggers.onFailed = (key, message) => logger.triggerFailed(key, message);
  if (config.indexesFile) {
    service.setIndexes(null, JSON.parse(await readFile(config.indexesFile, 'utf8')));
  }
  if (config.rulesFile) {
    service.setRules(config.projectId, await readFile(config.rulesFile, 'utf8'));
    logger.rulesLoaded(config.projectId, config.rulesFile);
  }
  if (config.importDir) logger.imported(config.importDir, await importData(service, config.importDir));
  const server = createEmulatorServer(service, {
    defaultProjectId: config.projectId,
    onRulesLoaded: (projectId) => logger.rulesLoaded(projectId, 'PUT :securityRules'),
    onRulesError: (projectId, message) => logger.rulesRejected(projectId, message),
    onRpcError: (method, code, message) => {
      // Expected failures (NOT_FOUND, ABORTED, PERMISSION_DENIED…) are answers, not faults; log the faults.
      if (code === 2 || code === 12 || code === 13) logger.rpcFailed(method, code, message);
    },
    onTriggerRegistered: (projectId, key) => logger.triggerRegistered(projectId, key),
    onExport: async (projectId, directory) => {
      logger.exported(directory, await exportData(service, directory, projectId));
    },
  });
  setBrowserDefaultProject(config.projectId);
  const { host, port } = await server.listen(config.port, config.host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  logger.started(url, config.projectId, Math.round(performance.now() - began));
  let stopped: Promise<void> | null = null;
  return {
    host,
    port,
    url,
    hostAndPort: `${urlHost}:${port}`,
    projectId: config.projectId,
    service,
    useFunctionsEmulator(hostAndPort) {
      service.triggers.functionsEmulator = hostAndPort;
    },
    stop() {
      stopped ??= (async () => {
        // Stop taking requests first: a write accepted while the export runs would be acknowledged and lost.
        await server.close();
        if (config.exportOnExit)
          logger.exported(config.exportOnExit, await exportData(service, config.exportOnExit));
        service.close();
        logger.stopped();
      })();
      return stopped;
    },
  };
}
