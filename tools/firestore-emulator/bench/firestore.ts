import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type DocumentSnapshot, getFirestore } from 'firebase-admin/firestore';
import { latencySummary } from '../../../scripts/lib/bench-figures.ts';
import { start } from '../src/index.ts';

// Figures for the Node-native Firestore emulator (printed, never asserted): startup, single-document write and
// read latency through firebase-admin (gRPC), a filtered ordered query over 10,000 documents, commit → 100
// listeners, and memory holding 100,000 documents.

const PROJECT = 'demo-bench';

function stats(samples: number[]): string {
  return latencySummary(samples, { digits: 2 });
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const began = performance.now();
  await fn();
  return performance.now() - began;
}

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function cliStartup(): Promise<number> {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('CLI did not start')), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const elapsed = performance.now() - began;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  return elapsed;
}

async function main(): Promise<void> {
  // Startup: the first start() in a process loads the protos; later ones reuse them.
  const coldBegan = performance.now();
  const first = await start({ port: 0, quiet: true, projectId: PROJECT });
  const cold = performance.now() - coldBegan;
  await first.stop();
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    const began = performance.now();
    const emulator = await start({ port: 0, quiet: true, projectId: PROJECT });
    warm.push(performance.now() - began);
    await emulator.stop();
  }
  console.log(`startup, in process: first ${cold.toFixed(1)} ms; again ${stats(warm)}`);
  console.log(
    `startup, CLI process until listening (incl. Node + tsx): ${(await cliStartup()).toFixed(0)} ms`,
  );

  const emulator = await start({ port: 0, quiet: true, projectId: PROJECT });
  process.env.FIRESTORE_EMULATOR_HOST = emulator.hostAndPort;
  const app = initializeApp({ projectId: PROJECT }, 'bench');
  const db = getFirestore(app);

  // Single-document write and read latency (firebase-admin over gRPC, one client).
  const ref = db.doc('bench/doc');
  for (let i = 0; i < 200; i++) await ref.set({ i, state: { online: true, rssi: -60 } });
  const writes: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < 2000; i++) {
    writes.push(await time(() => ref.set({ i, state: { online: true, rssi: -60 } })));
    reads.push(await time(() => ref.get()));
  }
  console.log(`single-document write (set): ${stats(writes)}`);
  console.log(`single-document read (get):  ${stats(reads)}`);

  // A filtered, ordered query over 10,000 documents.
  const statuses = ['available', 'registered', 'active', 'retired'];
  for (let offset = 0; offset < 10_000; offset += 500) {
    const batch = db.batch();
    for (let i = offset; i < offset + 500; i++) {
      batch.set(db.doc(`devices/D${String(i).padStart(5, '0')}`), {
        status: statuses[i % 4],
        firmware: (i * 7919) % 1000,
        device_type: i % 3 === 0 ? 'LED' : '4Relay',
      });
    }
    await batch.commit();
  }
  const limited = db
    .collection('devices')
    .where('status', '==', 'active')
    .orderBy('firmware', 'desc')
    .limit(50);
  const full = db
    .collection('devices')
    .where('status', '==', 'active')
    .where('firmware', '>=', 500)
    .orderBy('firmware');
  for (let i = 0; i < 10; i++) await limited.get();
  const limitedTimes: number[] = [];
  const fullTimes: number[] = [];
  let fullSize = 0;
  for (let i = 0; i < 100; i++) {
    limitedTimes.push(await time(() => limited.get()));
    fullTimes.push(await time(async () => (fullSize = (await full.get()).size)));
  }
  console.log(
    `query over 10,000 docs, where status == … orderBy firmware desc limit 50: ${stats(limitedTimes)}`,
  );
  console.log(
    `query over 10,000 docs, where status == … and firmware >= 500 orderBy firmware (${fullSize} results): ${stats(fullTimes)}`,
  );
  // The same queries inside the emulator (service call, no SDK or transport), to separate the two costs.
  const ctx = { projectId: PROJECT, databaseId: '(default)', admin: true, auth: null };
  const parent = `projects/${PROJECT}/databases/(default)/documents`;
  const status = {
    fieldFilter: { field: { fieldPath: 'status' }, op: 'EQUAL', value: { stringValue: 'active' } },
  };
  const firmware = {
    fieldFilter: {
      field: { fieldPath: 'firmware' },
      op: 'GREATER_THAN_OR_EQUAL',
      value: { integerValue: '500' },
    },
  };
  const inside = async (structuredQuery: Record<string, unknown>) => {
    const request = { parent, structuredQuery };
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) await emulator.service.runQuery(request, ctx, () => {});
    for (let i = 0; i < 200; i++)
      samples.push(await time(() => emulator.service.runQuery(request, ctx, () => {})));
    return stats(samples);
  };
  const limitedInside = await inside({
    from: [{ collectionId: 'devices' }],
    where: status,
    orderBy: [{ field: { fieldPath: 'firmware' }, direction: 'DESCENDING' }],
    limit: { value: 50 },
  });
  const fullInside = await inside({
    from: [{ collectionId: 'devices' }],
    where: { compositeFilter: { op: 'AND', filters: [status, firmware] } },
    orderBy: [{ field: { fieldPath: 'firmware' } }],
  });
  console.log(
    `  the same two queries inside the emulator (service call, no SDK or transport): limit 50 ${limitedInside}`,
  );
  console.log(`    ${fullSize} results ${fullInside}`);

  // Time from a commit until 100 listeners (each its own Listen target) have it.
  const watched = db.doc('bench/watched');
  await watched.set({ v: -1 });
  const listeners = 100;
  let pending = 0;
  let expected = -1;
  let resolveRound: () => void = () => {};
  const onSnap = (snap: DocumentSnapshot) => {
    if (snap.get('v') === expected && --pending === 0) resolveRound();
  };
  const unsubscribes = Array.from({ length: listeners }, () => watched.onSnapshot(onSnap));
  const round = (v: number) =>
    new Promise<void>((resolve) => {
      expected = v;
      pending = listeners;
      resolveRound = resolve;
    });
  const ready = round(-1);
  await ready;
  const fanOut: number[] = [];
  for (let v = 0; v < 50; v++) {
    const done = round(v);
    fanOut.push(
      await time(async () => {
        await watched.set({ v });
        await done;
      }),
    );
  }
  for (const unsubscribe of unsubscribes) unsubscribe();
  console.log(`commit → all ${listeners} listeners have it (admin onSnapshot): ${stats(fanOut)}`);
  await deleteApp(app);
  await emulator.stop();

  // Memory holding 100,000 documents (loaded through the service, as a commit would).
  const memoryEmulator = await start({ port: 0, quiet: true, projectId: PROJECT, historyRetentionMs: 0 });
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const store = memoryEmulator.service.database(PROJECT);
  for (let offset = 0; offset < 100_000; offset += 1000) {
    const writes = [];
    for (let i = offset; i < offset + 1000; i++) {
      writes.push({
        update: {
          name: `projects/${PROJECT}/databases/(default)/documents/devices/ESP32_${String(i).padStart(6, '0')}`,
          fields: {
            serial_number: { stringValue: `ESP32_${String(i).padStart(6, '0')}` },
            device_type: { stringValue: '4Relay' },
            status: { stringValue: 'active' },
            firmware_version: { stringValue: '1.2.3' },
            state: {
              mapValue: { fields: { online: { booleanValue: true }, rssi: { integerValue: '-60' } } },
            },
          },
        },
      });
    }
    await memoryEmulator.service.commitWrites(store, writes, ctx);
  }
  collectGarbage();
  const used = process.memoryUsage().heapUsed - before;
  console.log(
    `memory holding ${store.size.toLocaleString('en-US')} documents (5 fields, one nested map): ${(used / 1024 / 1024).toFixed(1)} MiB heap (${Math.round(used / store.size)} bytes/document)`,
  );
  await memoryEmulator.stop();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
