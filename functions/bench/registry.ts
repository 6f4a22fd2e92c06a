import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signUp } from '@esp32cloud/tests/harness/auth';
import { startStack, useStackEnv } from '@esp32cloud/tests/harness/stack';
import { call, provision } from '@esp32cloud/tests/registry/helpers';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { latencySummary } from '../../scripts/lib/bench-figures.ts';
import { provisionBatch } from '../src/provisioning/provisioning.ts';

// Device registry figures on the local emulators (our Firestore emulator, firebase-tools' Auth and Functions):
//  - provisioning throughput: the provision CLI end to end (Firestore + QR PNG/SVG + flash files + label sheet),
//    and the provisioning core alone (Firestore transactions + claim-code hashing);
//  - registration latency: POST /api/devices/register through the Functions emulator, median and p99 (max
//    when fewer than 100 claims are timed).
// Run: npx tsx functions/bench/registry.ts  (REGISTRY_BENCH_DEVICES / REGISTRY_BENCH_CLAIMS to resize).

const DEVICES = Number(process.env.REGISTRY_BENCH_DEVICES ?? 1000);
const CLAIMS = Number(process.env.REGISTRY_BENCH_CLAIMS ?? 100);

async function main(): Promise<void> {
  const stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    functionsEnv: { CLAIM_FAILURES_PER_USER: '1000000', CLAIM_FAILURES_PER_SERIAL: '1000000' },
  });
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'registry-bench-'));
  try {
    useStackEnv(stack);
    const app = initializeApp({ projectId: stack.projectId }, `bench-${getApps().length}`);
    const db = getFirestore(app);

    let started = performance.now();
    const cli = await provision(stack, {
      type: '4Relay',
      count: DEVICES,
      out: path.join(workDir, 'cli'),
      batch: 'bench-cli',
    });
    const cliSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const core = await provisionBatch(
      db,
      { appUrl: 'https://app.example.test', deviceBrokerUrl: 'mqtt://127.0.0.1:1883', pepper: 'bench' },
      { batchId: 'bench-core', deviceType: 'LED', firmwareVersion: '1.0.0', count: DEVICES },
    );
    const coreSeconds = (performance.now() - started) / 1000;

    const devices = cli.devices.slice(0, CLAIMS);
    const users = [];
    for (const _ of devices) users.push(await signUp(stack.authHost!));
    await call(stack.apiUrl!, 'GET', '/health'); // warm the function instance
    const latencies: number[] = [];
    for (let i = 0; i < devices.length; i++) {
      const t = performance.now();
      const response = await call(stack.apiUrl!, 'POST', '/devices/register', {
        token: users[i].idToken,
        body: {
          serial_number: devices[i].serial_number,
          claim_code: devices[i].claim_code,
          device_name: 'bench',
        },
      });
      latencies.push(performance.now() - t);
      if (response.status !== 201) throw new Error(`register answered ${response.status}`);
    }

    console.log(
      `provisioning, CLI end to end (${DEVICES} devices, files + QR + labels): ${cliSeconds.toFixed(1)} s, ${(cli.summary.created / cliSeconds).toFixed(0)} devices/s`,
    );
    console.log(
      `provisioning, core only (${core.created.length} devices, Firestore + hashing): ${coreSeconds.toFixed(1)} s, ${(core.created.length / coreSeconds).toFixed(0)} devices/s`,
    );
    console.log(`registration latency, POST /api/devices/register: ${latencySummary(latencies)}`);
  } finally {
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
