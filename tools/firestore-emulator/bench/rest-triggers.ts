import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { latencySummary } from '../../../scripts/lib/bench-figures.ts';
import { start } from '../src/index.ts';

// Figures (printed, never asserted) for the v1 REST API and trigger delivery: REST get and patch of one
// document with fetch (as curl or a firmware REST client calls it), and trigger delivery latency from the
// commit to the CloudEvent arriving at the Functions emulator's trigger URL (a local HTTP stand-in that answers
// at once, so the figure is the emulator's own part: matching, protobuf encoding, the HTTP POST).

const PROJECT = 'demo-bench-rest';

function stats(samples: number[]): string {
  return latencySummary(samples, { digits: 2 });
}

async function main(): Promise<void> {
  const received: number[] = [];
  const stub = http.createServer((request, response) => {
    received.push(performance.now());
    request.resume();
    request.on('end', () => response.end('{"status":"acknowledged"}'));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const stubPort = (stub.address() as AddressInfo).port;
  const emulator = await start({
    port: 0,
    quiet: true,
    projectId: PROJECT,
    functionsEmulator: `127.0.0.1:${stubPort}`,
  });
  const docs = `${emulator.url}/v1/projects/${PROJECT}/databases/(default)/documents`;
  const headers = { authorization: 'Bearer owner', 'content-type': 'application/json' };
  const body = (i: number) =>
    JSON.stringify({
      fields: {
        seq: { integerValue: String(i) },
        state: { mapValue: { fields: { online: { booleanValue: true }, rssi: { integerValue: '-60' } } } },
      },
    });

  const patches: number[] = [];
  const gets: number[] = [];
  for (let i = 0; i < 1100; i++) {
    const began = performance.now();
    const response = await fetch(`${docs}/devices/ESP32_BENCH`, { method: 'PATCH', headers, body: body(i) });
    await response.arrayBuffer();
    if (i >= 100) patches.push(performance.now() - began);
  }
  for (let i = 0; i < 1100; i++) {
    const began = performance.now();
    const response = await fetch(`${docs}/devices/ESP32_BENCH`, { headers });
    await response.arrayBuffer();
    if (i >= 100) gets.push(performance.now() - began);
  }
  console.log(`REST PATCH one document (fetch, keep-alive): ${stats(patches)}`);
  console.log(`REST GET one document (fetch, keep-alive): ${stats(gets)}`);

  // Trigger delivery: commit → CloudEvent received by the Functions emulator stand-in.
  await fetch(
    `${emulator.url}/emulator/v1/projects/${PROJECT}/eventarcTrigger?eventarcTriggerId=bench-written`,
    {
      method: 'POST',
      body: JSON.stringify({
        eventType: 'google.cloud.firestore.document.v1.written',
        database: '(default)',
        namespace: '(default)',
        document: { value: 'sensors/{id}', matchType: 'PATH_PATTERN' },
      }),
    },
  );
  const committed: number[] = [];
  emulator.service.database(PROJECT).onCommit(() => committed.push(performance.now()));
  for (let i = 0; i < 600; i++) {
    await fetch(`${docs}/sensors/s${i % 10}`, { method: 'PATCH', headers, body: body(i) });
    await emulator.service.triggers.idle();
  }
  if (received.length !== committed.length)
    throw new Error(`${committed.length} commits, ${received.length} events`);
  const latencies = committed.slice(100).map((at, i) => received[i + 100]! - at);
  console.log(`trigger delivery, commit → CloudEvent at the Functions emulator URL: ${stats(latencies)}`);
  await emulator.stop();
  stub.close();
}

await main();
