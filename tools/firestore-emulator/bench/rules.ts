import { readFileSync } from 'node:fs';
import { latencySummary, percentile } from '../../../scripts/lib/bench-figures.ts';
import type { AccessRequest } from '../src/authorizer.ts';
import { createRulesAuthorizer } from '../src/rules/index.ts';
import type { Document, Value } from '../src/types.ts';

// Rule evaluation time per request for the product's firestore.rules: the time the emulator spends inside
// Authorizer.authorize() for one document access, for the requests the product makes (and the ones it denies).
// Documents are held in memory, so get() inside the rules costs a map lookup, as it does in the emulator.

const WARMUP = 2_000;
const SAMPLES = 20_000;
const T = { seconds: '1764000000', nanos: 0 };

function fields(data: Record<string, unknown>): Record<string, Value> {
  const val = (v: unknown): Value => {
    if (v === null) return { nullValue: 'NULL_VALUE' };
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'boolean') return { booleanValue: v };
    if (typeof v === 'number') return { integerValue: String(v) };
    return { mapValue: { fields: fields(v as Record<string, unknown>) } };
  };
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, val(v)]));
}

function doc(path: string, data: Record<string, unknown>): Document {
  return {
    name: `projects/demo/databases/(default)/documents/${path}`,
    fields: fields(data),
    createTime: T,
    updateTime: T,
  };
}

const store = new Map<string, Document>();
for (const [path, data] of Object.entries({
  'devices/DEV_A': {
    device_id: 'DEV_A',
    status: 'active',
    owner_uid: 'alice',
    state: { online: true, outputs: { relay1: false, relay2: true }, rssi: -60 },
    desired: { outputs: { relay1: true } },
  },
  'devices/DEV_A/commands/c1': { id: 'c1', command: 'set_relay', status: 'acked', requested_by: 'alice' },
  'device_configs/DEV_A': { wifi_ssid: 'home', update_interval: 30 },
  'user_devices/alice_DEV_A': {
    user_id: 'alice',
    device_id: 'DEV_A',
    access_level: 'owner',
    device_name: 'ห้อง',
  },
  'user_devices/carol_DEV_A': {
    user_id: 'carol',
    device_id: 'DEV_A',
    access_level: 'viewer',
    device_name: 'ห้อง',
  },
  'device_secrets/DEV_A': { claim_code_hash: 'x' },
})) {
  store.set(path, doc(path, data));
}

const auth = (uid: string) => ({
  uid,
  token: { sub: uid, email: `${uid}@example.com`, firebase: { sign_in_provider: 'password' } },
});
const byUser = (uid: string) => ({
  collection: 'user_devices',
  allDescendants: false,
  structuredQuery: {
    where: { fieldFilter: { field: { fieldPath: 'user_id' }, op: 'EQUAL', value: { stringValue: uid } } },
  },
});

function request(r: Partial<AccessRequest> & Pick<AccessRequest, 'method' | 'path'>): AccessRequest {
  return {
    database: 'projects/demo/databases/(default)',
    auth: null,
    resource: store.get(r.path) ?? null,
    requestResource: null,
    time: T,
    readBefore: (p) => store.get(p) ?? null,
    readAfter: (p) => store.get(p) ?? null,
    ...r,
  };
}

const scenarios: [string, AccessRequest, boolean][] = [
  [
    'get device (viewer link, 1 get())',
    request({ method: 'get', path: 'devices/DEV_A', auth: auth('carol') }),
    true,
  ],
  [
    'get device config (owner)',
    request({ method: 'get', path: 'device_configs/DEV_A', auth: auth('alice') }),
    true,
  ],
  [
    'list commands, per result (owner)',
    request({
      method: 'list',
      path: 'devices/DEV_A/commands/c1',
      auth: auth('alice'),
      query: { collection: 'devices/DEV_A/commands', allDescendants: false, structuredQuery: {} },
    }),
    true,
  ],
  [
    'list own user_devices, per result',
    request({
      method: 'list',
      path: 'user_devices/alice_DEV_A',
      auth: auth('alice'),
      query: byUser('alice'),
    }),
    true,
  ],
  [
    'denied: get device, no link',
    request({ method: 'get', path: 'devices/DEV_A', auth: auth('dave') }),
    false,
  ],
  ['denied: get device, signed out', request({ method: 'get', path: 'devices/DEV_A' }), false],
  [
    'denied: read device_secrets',
    request({ method: 'get', path: 'device_secrets/DEV_A', auth: auth('alice') }),
    false,
  ],
  [
    'denied: raise own access level',
    request({
      method: 'update',
      path: 'user_devices/carol_DEV_A',
      auth: auth('carol'),
      requestResource: doc('user_devices/carol_DEV_A', {
        user_id: 'carol',
        device_id: 'DEV_A',
        access_level: 'owner',
      }),
    }),
    false,
  ],
];

const source = readFileSync(new URL('../../../firestore.rules', import.meta.url), 'utf8');
const compileTimes: number[] = [];
for (let i = 0; i < 200; i++) {
  const t0 = performance.now();
  createRulesAuthorizer(source);
  compileTimes.push(performance.now() - t0);
}
console.log(
  `firestore.rules parse+compile (${source.split('\n').length} lines): ${latencySummary(compileTimes, { digits: 3 })}`,
);

const authorizer = createRulesAuthorizer(source);
console.log(`rule evaluation per request, ${SAMPLES} samples each (µs):`);
console.log(`${'scenario'.padEnd(40)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
const all: number[] = [];
for (const [name, req, expected] of scenarios) {
  for (let i = 0; i < WARMUP; i++) authorizer.authorize(req);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const decision = authorizer.authorize(req);
    times.push((performance.now() - t0) * 1000);
    if (decision.allowed !== expected) throw new Error(`${name}: expected allowed=${expected}`);
  }
  times.sort((a, b) => a - b);
  all.push(...times);
  console.log(
    `${name.padEnd(40)} ${percentile(times, 50).toFixed(1).padStart(8)} ${percentile(times, 99).toFixed(1).padStart(8)}`,
  );
}
all.sort((a, b) => a - b);
console.log(
  `${'all requests'.padEnd(40)} ${percentile(all, 50).toFixed(1).padStart(8)} ${percentile(all, 99).toFixed(1).padStart(8)}`,
);
