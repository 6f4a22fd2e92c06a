import { startAuthHook } from './auth-hook.ts';
import { startDynsecResponder } from './dynsec-responder.ts';
import { SERVICE_USERS } from './roles.ts';

// `npm run auth-hook -w broker`: the HTTP auth hook as a service, for a broker that calls it (an EMQX
// cluster, VerneMQ, Mosquitto with mosquitto-go-auth; docs/SCALING.md "Broker-agnostic device auth").
// AUTH_HOOK_DYNSEC_FILE: the dynamic-security file (default /mosquitto/data/dynamic-security.json);
// AUTH_HOOK_HOST / AUTH_HOOK_PORT: where to listen (default 127.0.0.1:8991, a private address only: the hook
// answers "may this password connect", so only the broker may reach it); AUTH_HOOK_CACHE_MS: cache time.
// DYNSEC_RESPONDER_URL (e.g. mqtt://127.0.0.1:1883) with BROKER_ADMIN_PASSWORD also starts the dynsec
// responder, which applies provisioning's $CONTROL commands to the same file (run it on one node only).

const port = Number.parseInt(process.env.AUTH_HOOK_PORT || '8991', 10);
const cacheTtlMs = Number.parseInt(process.env.AUTH_HOOK_CACHE_MS || '30000', 10);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(cacheTtlMs) || cacheTtlMs < 0) {
  process.stderr.write('AUTH_HOOK_PORT must be a port number and AUTH_HOOK_CACHE_MS a whole number\n');
  process.exit(2);
}
const dynsecFile = process.env.AUTH_HOOK_DYNSEC_FILE || '/mosquitto/data/dynamic-security.json';
const hook = await startAuthHook({
  dynsecFile,
  host: process.env.AUTH_HOOK_HOST || '127.0.0.1',
  port,
  cacheTtlMs,
});
process.stdout.write(`${JSON.stringify({ message: 'auth hook listening', url: hook.url })}\n`);
const responderUrl = process.env.DYNSEC_RESPONDER_URL;
const responder = responderUrl
  ? await startDynsecResponder({
      url: responderUrl,
      username: SERVICE_USERS.admin,
      password: process.env.BROKER_ADMIN_PASSWORD ?? '',
      dynsecFile,
    })
  : null;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void Promise.all([hook.stop(), responder?.stop()]));
