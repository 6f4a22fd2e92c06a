import { startBridge } from './bridge.ts';
import { configFromEnv } from './config.ts';

// `tsx bridge/src/main.ts`: the ingest bridge as a service (deploy/compose.yaml, npm start). Configuration
// from the environment (bridge/src/config.ts); stops cleanly on SIGTERM/SIGINT so no QoS 1 message is lost.

const config = configFromEnv();
const bridge = await startBridge(config, { connectTimeoutMs: 60_000 });
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await bridge.stop();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
