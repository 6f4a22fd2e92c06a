import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { median, P99_MIN_SAMPLES, percentile } from '../../../scripts/lib/bench-figures.ts';

// Side by side with the public Node peer, @firestore-emulator/server 0.3.15 (a devDependency of this
// workspace for this bench only): the same firebase-admin calls against both emulators in the same run, each
// emulator in a server process of its own (ours through its CLI, the peer through servers/peer.ts). Within a
// round the samples alternate between the two emulators one by one, so a busy machine slows both alike; the
// bulk load alternates which goes first. Per line: the median over the rounds of each round's figure, and the
// ratio (peer ÷ ours: above 1 means ours is faster). Printed, never asserted.

const ROUNDS = 3;
const SAMPLES = 200; // per round and line, at least P99_MIN_SAMPLES for a p99
const BULK_DOCS = 10_000;
// Spread over collections: the peer copies a whole collection for each document it adds (quadratic in the
// collection's size), and a single 10,000-document collection outlasts the SDK's 60 s deadline per batch.
const BULK_COLLECTIONS = 10;
const BATCH = 500; // the peer has no BatchWrite RPC, so bulk load goes through WriteBatch commits
const QUERY_DOCS = 3_000;
const QUERY_SAMPLES = 30;

type Kind = 'ours' | 'peer';

interface Server {
  kind: Kind;
  hostAndPort: string;
  process: ChildProcess;
}

function startServer(kind: Kind): Promise<Server> {
  const script =
    kind === 'ours'
      ? [
          fileURLToPath(new URL('../src/cli.ts', import.meta.url)),
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--quiet',
        ]
      : [fileURLToPath(new URL('./servers/peer.ts', import.meta.url))];
  const child = spawn(process.execPath, ['--import', 'tsx', ...script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench that fails midway leaves no server behind.
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} emulator did not start`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (?:http:\/\/)?([\d.]+:\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve({ kind, hostAndPort: match[1]!, process: child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} emulator exited (${code})`)));
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // The peer may be busy for seconds inside one call; it is only a bench server.
    const timer = setTimeout(() => server.process.kill('SIGKILL'), 5_000);
    server.process.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.process.kill('SIGTERM');
  });
}

/** A firebase-admin app talking to one emulator (the SDK reads FIRESTORE_EMULATOR_HOST when it is created). */
function connect(server: Server, projectId: string, name: string): { app: App; db: Firestore } {
  process.env.FIRESTORE_EMULATOR_HOST = server.hostAndPort;
  const app = initializeApp({ projectId }, name);
  const db = getFirestore(app);
  db.settings({ preferRest: false });
  return { app, db };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await fn();
  return performance.now() - began;
}

const statuses = ['available', 'registered', 'active', 'retired'];
function device(i: number) {
  return {
    serial_number: `ESP32_${String(i).padStart(6, '0')}`,
    status: statuses[i % 4],
    firmware: (i * 7919) % 1000,
    device_type: i % 3 === 0 ? 'LED' : '4Relay',
    state: { online: i % 2 === 0, rssi: -40 - (i % 50) },
  };
}

async function load(db: Firestore, collection: string, count: number): Promise<void> {
  for (let offset = 0; offset < count; offset += BATCH) {
    const batch = db.batch();
    for (let i = offset; i < Math.min(count, offset + BATCH); i++)
      batch.set(db.doc(`${collection}/D${String(i).padStart(6, '0')}`), device(i));
    await batch.commit();
  }
}

/** Figures of one round on one emulator, by line. */
type Figures = Record<string, number>;

/**
 * Times `op` on both emulators, one sample on each in turn (the order alternating), so load from elsewhere on
 * the machine falls on both alike.
 */
async function interleaved(
  order: Kind[],
  count: number,
  op: (kind: Kind, i: number) => Promise<unknown>,
): Promise<Record<Kind, number[]>> {
  const samples: Record<Kind, number[]> = { ours: [], peer: [] };
  for (let i = 0; i < count; i++) {
    const turn = i % 2 === 0 ? order : [...order].reverse();
    for (const kind of turn) samples[kind].push(await timed(() => op(kind, i)));
  }
  return samples;
}

async function round(servers: Record<Kind, Server>, dbs: Record<Kind, Firestore>, r: number) {
  const order: Kind[] = r % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
  const figures: Record<Kind, Figures> = { ours: {}, peer: {} };
  const record = (line: string, samples: Record<Kind, number[]>, p: number) => {
    for (const kind of order)
      figures[kind][line] = percentile(
        [...samples[kind]].sort((a, b) => a - b),
        p,
      );
  };
  const ref = (kind: Kind) => dbs[kind].doc('bench/one');
  const data = (i: number) => ({ i, state: { online: true, rssi: -60 } });
  await interleaved(order, 50, async (kind, i) => {
    await ref(kind).set(data(i));
    await ref(kind).get();
  });
  const gets = await interleaved(order, SAMPLES, (kind) => ref(kind).get());
  const sets = await interleaved(order, SAMPLES, (kind, i) => ref(kind).set(data(i)));
  record('get, median (ms)', gets, 50);
  record('get, p99 (ms)', gets, 99);
  record('set, median (ms)', sets, 50);
  record('set, p99 (ms)', sets, 99);

  const queries = {
    [`query ==, orderBy, limit 50 over ${QUERY_DOCS} docs, median (ms)`]: (db: Firestore) =>
      db.collection('devices').where('status', '==', 'active').orderBy('firmware', 'desc').limit(50),
    [`query range, orderBy, limit 50 over ${QUERY_DOCS} docs, median (ms)`]: (db: Firestore) =>
      db.collection('devices').where('firmware', '>=', 500).orderBy('firmware').limit(50),
  };
  for (const [line, query] of Object.entries(queries)) {
    await interleaved(order, 5, (kind) => query(dbs[kind]).get());
    record(line, await interleaved(order, QUERY_SAMPLES, (kind) => query(dbs[kind]).get()), 50);
  }

  // A fresh project per round, so every round loads into an empty database on both emulators.
  const bulkLine = `bulk load ${BULK_DOCS.toLocaleString('en-US')} docs (${BULK_COLLECTIONS} collections), batches of ${BATCH} (ms)`;
  for (const kind of order) {
    const bulk = connect(servers[kind], `demo-side-bulk-${r}`, `${kind}-bulk-${r}`);
    figures[kind][bulkLine] = await timed(async () => {
      for (let c = 0; c < BULK_COLLECTIONS; c++)
        await load(bulk.db, `fleet${c}`, BULK_DOCS / BULK_COLLECTIONS);
    });
    await deleteApp(bulk.app);
  }
  return figures;
}

async function main(): Promise<void> {
  if (SAMPLES < P99_MIN_SAMPLES) throw new Error('a p99 needs at least 100 samples');
  const servers = { ours: await startServer('ours'), peer: await startServer('peer') };
  const clients = {
    ours: connect(servers.ours, 'demo-side-by-side', 'ours'),
    peer: connect(servers.peer, 'demo-side-by-side', 'peer'),
  };
  for (const kind of ['ours', 'peer'] as const) await load(clients[kind].db, 'devices', QUERY_DOCS);
  // Both answer the queries alike, so the figures compare the same work.
  const answers = await Promise.all(
    (['ours', 'peer'] as const).map(async (kind) =>
      (
        await clients[kind].db
          .collection('devices')
          .where('status', '==', 'active')
          .orderBy('firmware', 'desc')
          .limit(50)
          .get()
      ).docs
        .map((d) => d.get('firmware'))
        .join(),
    ),
  );
  if (answers[0] !== answers[1]) throw new Error('the emulators answer the query differently');

  const rounds: Record<Kind, Figures[]> = { ours: [], peer: [] };
  const dbs = { ours: clients.ours.db, peer: clients.peer.db };
  for (let r = 0; r < ROUNDS; r++) {
    const figures = await round(servers, dbs, r);
    rounds.ours.push(figures.ours);
    rounds.peer.push(figures.peer);
    console.log(`round ${r + 1}/${ROUNDS} done`);
  }
  const lines = Object.keys(rounds.ours[0]!);
  const width = Math.max(...lines.map((l) => l.length));
  console.log(`\nfirebase-admin, ${ROUNDS} rounds (median of rounds; p99 of ${SAMPLES} samples per round)`);
  console.log(`${'line'.padEnd(width)}  ${'ours'.padStart(9)}  ${'peer'.padStart(9)}  peer ÷ ours`);
  for (const line of lines) {
    const ours = median(rounds.ours.map((f) => f[line]!));
    const peer = median(rounds.peer.map((f) => f[line]!));
    console.log(
      `${line.padEnd(width)}  ${ours.toFixed(3).padStart(9)}  ${peer.toFixed(3).padStart(9)}  ${(peer / ours).toFixed(2)}×`,
    );
  }
  for (const kind of ['ours', 'peer'] as const) await deleteApp(clients[kind].app);
  await Promise.all([stopServer(servers.ours), stopServer(servers.peer)]);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
