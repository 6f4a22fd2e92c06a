import { operatorToken } from '@esp32cloud/tests/e2e/operator';
import { startStack, useStackEnv } from '@esp32cloud/tests/harness/stack';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore, Timestamp } from 'firebase-admin/firestore';
import { latencySummary } from '../../scripts/lib/bench-figures.ts';

// Support portal figures on the local emulators (our Firestore emulator, firebase-tools' Auth and Functions),
// through the real api function with an operator's ID token:
//  - the first page (50 events) of GET /api/admin/devices/{id}/timeline for one device with 10,000 events
//    (logs, commands with their acks, presence changes), median and p99;
//  - GET /api/admin/devices?query= over 10,000 devices: a full serial, a serial prefix, a device id.
// Run: npx tsx functions/bench/support.ts  (SUPPORT_BENCH_DEVICES / SUPPORT_BENCH_EVENTS / SUPPORT_BENCH_RUNS).

const DEVICES = Number(process.env.SUPPORT_BENCH_DEVICES ?? 10_000);
const EVENTS = Number(process.env.SUPPORT_BENCH_EVENTS ?? 10_000);
const RUNS = Number(process.env.SUPPORT_BENCH_RUNS ?? 200);

const serialOf = (i: number) => `ESP32${String(10_000_000 + i).slice(-8)}X`;
const idOf = (i: number) => `ESP32_B${String(i).padStart(6, '0')}`;

async function writeAll(db: Firestore, docs: [string, Record<string, unknown>][]): Promise<void> {
  for (let i = 0; i < docs.length; i += 400) {
    const batch = db.batch();
    for (const [path, data] of docs.slice(i, i + 400)) batch.set(db.doc(path), data);
    await batch.commit();
  }
}

async function seed(db: Firestore): Promise<string> {
  const now = Date.now();
  const docs: [string, Record<string, unknown>][] = [];
  for (let i = 0; i < DEVICES; i++) {
    const at = Timestamp.fromMillis(now - i * 1000);
    docs.push([
      `devices/${idOf(i)}`,
      {
        device_id: idOf(i),
        serial_number: serialOf(i),
        device_type: '4Relay',
        firmware_version: '1.0.0',
        status: 'active',
        owner_uid: `owner-${i}`,
        created_at: at,
        state: { online: i % 3 !== 0, last_seen: at, outputs: {}, readings: {} },
        desired: null,
      },
    ]);
    docs.push([`serials/${serialOf(i)}`, { device_id: idOf(i), batch_id: 'bench', created_at: at }]);
  }
  await writeAll(db, docs);

  const device = idOf(0);
  const events: [string, Record<string, unknown>][] = [];
  for (let i = 0; i < EVENTS; i++) {
    const at = Timestamp.fromMillis(now - (EVENTS - i) * 1500);
    const kind = i % 10;
    if (kind < 4) {
      events.push([
        `devices/${device}/logs/l${i}`,
        {
          serial_number: serialOf(0),
          level: i % 7 ? 'info' : 'error',
          message: `line ${i}`,
          received_at: at,
        },
      ]);
    } else if (kind < 7) {
      events.push([
        `devices/${device}/commands/c${i}`,
        {
          id: `c${i}`,
          command: 'relay',
          params: { relay: 1, state: 'on' },
          status: 'acked',
          requested_by: 'owner-0',
          created_at: at,
          sent_at: at,
          acked_at: Timestamp.fromMillis(at.toMillis() + 120),
        },
      ]);
    } else {
      events.push([
        `devices/${device}/status_changes/s${i}`,
        { online: i % 2 === 0, previous: i % 2 !== 0, at },
      ]);
    }
  }
  await writeAll(db, events);
  return device;
}

async function timed(url: string, token: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.json();
    latencies.push(performance.now() - t);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  }
  return latencies;
}

async function main(): Promise<void> {
  const stack = await startStack({ firestore: true, firebase: ['auth', 'functions'] });
  try {
    useStackEnv(stack);
    const db = getFirestore(
      initializeApp({ projectId: stack.projectId }, `support-bench-${getApps().length}`),
    );
    let started = performance.now();
    const device = await seed(db);
    console.log(
      `seeded ${DEVICES} devices and ${EVENTS} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const token = await operatorToken(stack.authHost!, stack.projectId);
    const api = `${stack.apiUrl}/api`;
    await timed(`${api}/health`, token, 3); // warm the function instance

    started = performance.now();
    const timeline = await timed(`${api}/admin/devices/${device}/timeline?limit=50`, token, RUNS);
    console.log(`timeline first page (50 of ${EVENTS} events): ${latencySummary(timeline)}`);
    const serial = await timed(`${api}/admin/devices?query=${serialOf(DEVICES - 1)}`, token, RUNS);
    console.log(`operator search over ${DEVICES} devices, full serial: ${latencySummary(serial)}`);
    const prefix = await timed(`${api}/admin/devices?query=${serialOf(4200).slice(0, 11)}`, token, RUNS);
    console.log(
      `operator search over ${DEVICES} devices, serial prefix (20 results): ${latencySummary(prefix)}`,
    );
    const byId = await timed(`${api}/admin/devices?query=${idOf(DEVICES - 1)}`, token, RUNS);
    console.log(`operator search over ${DEVICES} devices, device id: ${latencySummary(byId)}`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s of requests)`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
