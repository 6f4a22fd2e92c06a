import { parseArgs } from 'node:util';
import { ensureBrokerData } from './start.ts';

// Production bootstrap, run once before Mosquitto's first start (deploy/compose.yaml runs it as an init
// container): writes dynamic-security.json with the service accounts admin, bridge and functions-relay.
// Passwords come from BROKER_ADMIN_PASSWORD / BROKER_BRIDGE_PASSWORD / BROKER_FUNCTIONS_PASSWORD, or are
// generated; either way they are kept in service-credentials.json (0600) beside it. Existing data is kept.
// BROKER_BRIDGE_INSTANCES=n adds accounts bridge-2 … bridge-n (same password), each pinned to its own
// client id, for n bridge instances.

const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: '/mosquitto/data' } } });
const dataDir = values['data-dir'] as string;
const bridgeInstances = Number.parseInt(process.env.BROKER_BRIDGE_INSTANCES || '1', 10);
if (!Number.isInteger(bridgeInstances) || bridgeInstances < 1) {
  process.stderr.write('BROKER_BRIDGE_INSTANCES must be a whole number, 1 or more\n');
  process.exit(2);
}
const { dynsecFile } = ensureBrokerData(
  dataDir,
  {
    admin: process.env.BROKER_ADMIN_PASSWORD,
    bridge: process.env.BROKER_BRIDGE_PASSWORD,
    functionsRelay: process.env.BROKER_FUNCTIONS_PASSWORD,
  },
  { bridgeInstances },
);
process.stdout.write(`${JSON.stringify({ message: 'broker data ready', dynsecFile })}\n`);
