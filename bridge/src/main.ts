import { rename, writeFile } from 'node:fs/promises';
import { startBridge } from './bridge.ts';
import { configFromEnv } from './config.ts';
import { bridgeLogs } from './logs.ts';

// `tsx bridge/src/main.ts`: the ingest bridge as a service (deploy/compose.yaml, npm start). Configuration
// from the environment (bridge/src/config.ts); stops cleanly on SIGTERM/SIGINT/SIGHUP (every message taken is
// handled and the coalesced writes are flushed) so no QoS 1 message is lost. BRIDGE_STATS_FILE: the ingest
// counters (bridge.stats()) written there as JSON every second, for the soak's messages/s and writes/s.

const config = configFromEnv();
const bridge = await startBridge(config, { connectTimeoutMs: 60_000 });
bridgeLogs.ready(config.clientId);
const statsFile = process.env.BRIDGE_STATS_FILE;
if (statsFile)
  setInterval(
    // Whole or not at all (a reader never sees half a file): written beside, then renamed over.
    () =>
      void writeFile(`${statsFile}.tmp`, JSON.stringify(bridge.stats()))
        .then(() => rename(`${statsFile}.tmp`, statsFile))
        .catch(() => undefined),
    1000,
  ).unref();
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await bridge.stop();
  process.exit(0);
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, shutdown);
