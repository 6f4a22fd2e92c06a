import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningBroker, startBroker } from '@esp32cloud/broker';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerUnderTest } from '../harness/broker-kind.ts';
import { connack } from '../harness/mqtt-refusals.ts';
import { STACK_SETTINGS } from '../harness/provision-env.ts';
import { type RunningStackDescription, type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { runCli } from './helpers.ts';

// `npm run provision` beside a running `npm start` needs no flags (scripts/provision/local-stack.ts): it reads
// the stack description npm start writes into its run folder. Here a local platform's parts (Firestore emulator,
// broker) run on free ports and the description is written as scripts/start.ts writes it, in a run folder of
// this test's own (ESP32_RUN_DIR, as npm start takes it), so a real `npm start` nearby is never touched.
// tests/start/npm-start.test.ts runs the same CLI beside a real `npm start`.

const kind = brokerUnderTest('provision finds npm start');
/** Nothing about the stack is given to the CLI: only where the run folder is. */
const UNSET = Object.fromEntries(STACK_SETTINGS.map((name) => [name, '']));

let broker: RunningBroker;
let stack: Stack;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'provision-detect-'));
  broker = await startBroker({ kind, port: 0, dataDir: path.join(workDir, 'broker') });
  stack = await startStack({ firestore: true });
  useStackEnv(stack); // for this test's own Firestore reads; the CLI gets none of it
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await broker?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function describeStack(runDir: string, pid: number): void {
  const adminUrl = new URL(broker.url);
  adminUrl.username = broker.adminCredentials.username;
  adminUrl.password = broker.adminCredentials.password;
  const { stop: _stop, rulesFile: _rules, ...running } = stack;
  const description: RunningStackDescription = {
    ...running,
    pid,
    broker: { adminUrl: adminUrl.toString(), deviceUrl: broker.url, caFile: null },
  };
  writeFileSync(path.join(runDir, 'stack.json'), JSON.stringify(description), { mode: 0o600 });
}

const provisionArgs = (out: string) => [
  '--type',
  '4Relay',
  '--count',
  '2',
  '--firmware',
  '1.0.0',
  '--out',
  out,
  '--app-url',
  'https://app.example.test',
];

describe('npm run provision beside a running npm start', () => {
  it('registers the devices with its broker and Firestore without flags: they connect at once', async () => {
    const runDir = mkdtempSync(path.join(workDir, 'run-'));
    describeStack(runDir, process.pid);
    const out = path.join(workDir, 'found');
    const run = await runCli({ ...stack, env: {} }, 'scripts/provision.ts', provisionArgs(out), {
      ...UNSET,
      ESP32_RUN_DIR: runDir,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('registering device credentials with the running npm start');

    const flashes = readdirSync(out)
      .filter((name) => /^ESP32\w+\.json$/.test(name))
      .map((name) => JSON.parse(readFileSync(path.join(out, name), 'utf8')));
    expect(flashes).toHaveLength(2);
    const app =
      getApps().find((a) => a.name === stack.projectId) ??
      initializeApp({ projectId: stack.projectId }, stack.projectId);
    for (const flash of flashes) {
      expect(flash.broker_url).toBe(broker.url);
      const verdict = await connack(broker.url, {
        username: flash.username,
        password: flash.password,
        clientId: flash.serial_number,
        protocolVersion: broker.mqttVersion,
      });
      expect(verdict.accepted).toBe(true);
      if (verdict.accepted) await verdict.client.endAsync();
      const doc = await getFirestore(app).doc(`devices/${flash.device_id}`).get();
      expect(doc.exists).toBe(true);
    }
  }, 150_000);

  it('ignores a description left by a stack that is gone', async () => {
    const runDir = mkdtempSync(path.join(workDir, 'stale-'));
    // Above Linux's largest process id (2^22): no such process runs.
    describeStack(runDir, 2 ** 22 + 1);
    const run = await runCli(
      { ...stack, env: {} },
      'scripts/provision.ts',
      provisionArgs(path.join(workDir, 'stale')),
      {
        ...UNSET,
        ESP32_RUN_DIR: runDir,
        FIRESTORE_EMULATOR_HOST: stack.firestoreHost ?? '',
        GCLOUD_PROJECT: stack.projectId,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('no --broker-admin-url / BROKER_ADMIN_URL');
  }, 150_000);
});
