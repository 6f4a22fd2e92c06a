import { startBridge } from './bridge.ts';
import { configFromEnv } from './config.ts';
import { bridgeLogs } from './logs.ts';

// `tsx bridge/src/main.ts`: the ingest bridge as a service (deploy/compose.yaml, npm start). Configuration
// from the environment (bridge/src/config.ts); stops cleanly on SIGTERM/SIGINT/SIGHUP (every message taken is
// handled and the coalesced writes are flushed) so no QoS 1 message is lost.

const config = configFromEnv();
const bridge = await startBridge(config, { connectTimeoutMs: 60_000 });
bridgeLogs.ready(config.clientId);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await bridge.stop();
  process.exit(0);
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, shutdown);
