import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { doc, setDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, stopGroup } from '../../../scripts/lib/firebase-emulators.ts';
import { freePort } from '../../../tests/harness/ports.ts';
import { type Harness, PROJECT, startHarness } from './helpers.ts';

// Firestore triggers under the real Functions emulator of firebase-tools: a test codebase
// (fixtures/trigger-functions) with v2 onDocumentWritten/Created/Updated/Deleted and a withAuthContext
// trigger. firebase-tools registers them with this emulator (preloaded register-firestore.cjs makes it
// firebase-tools' Firestore emulator) and the emulator delivers CloudEvents as Google's emulator does.

const firebaseBin = createRequire(import.meta.url).resolve('firebase-tools/lib/bin/firebase.js');
const preload = path.join(import.meta.dirname, '../firebase-tools/register-firestore.cjs');

let h: Harness;
let firebase: ChildProcess | null = null;
let workDir = '';
const output: string[] = [];

beforeAll(async () => {
  const ports = {
    functions: await freePort(),
    hub: await freePort(),
    logging: await freePort(),
    eventarc: await freePort(),
    tasks: await freePort(),
  };
  h = await startHarness({ functionsEmulator: `127.0.0.1:${ports.functions}` });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'trigger-functions-'));
  const source = path.join(workDir, 'functions');
  cpSync(path.join(import.meta.dirname, 'fixtures/trigger-functions'), source, { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  const host = '127.0.0.1';
  const config = path.join(workDir, 'firebase.json');
  writeFileSync(
    config,
    JSON.stringify({
      functions: [{ source: 'functions', codebase: 'triggers' }],
      emulators: {
        functions: { host, port: ports.functions },
        hub: { host, port: ports.hub },
        logging: { host, port: ports.logging },
        eventarc: { host, port: ports.eventarc },
        tasks: { host, port: ports.tasks },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  );
  firebase = spawn(
    process.execPath,
    [
      '-r',
      preload,
      firebaseBin,
      'emulators:start',
      '--only',
      'functions',
      '--project',
      PROJECT,
      '--config',
      config,
    ],
    {
      cwd: workDir,
      env: {
        ...process.env,
        FIRESTORE_EMULATOR_EXTERNAL_HOST: h.emulator.hostAndPort,
        FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`firebase-tools not ready:\n${output.join('\n')}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) output.push(line);
        if (line.includes('All emulators ready')) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    firebase!.stdout!.on('data', onData);
    firebase!.stderr!.on('data', onData);
    firebase!.once('exit', (code) =>
      reject(new Error(`firebase-tools exited (${code}):\n${output.join('\n')}`)),
    );
  });
}, 150_000);

afterAll(async () => {
  if (firebase) await stopGroup(firebase);
  await h?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: trigger_log entries are read loosely by the assertions.
type Entry = Record<string, any>;

async function logEntries(filter: (e: Entry) => boolean, count: number): Promise<Entry[]> {
  const log = h.admin().collection('trigger_log');
  for (let i = 0; i < 1200; i++) {
    const snap = await log.orderBy('at').get();
    const entries = snap.docs.map((d) => d.data()).filter(filter);
    if (entries.length >= count) return entries;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `expected ${count} trigger_log entries; firebase-tools said:\n${output.slice(-30).join('\n')}`,
  );
}

// Each function's first event starts its own worker in the Functions emulator: seconds each on a busy machine.
describe('Firestore triggers under the Functions emulator', { timeout: 180_000 }, () => {
  it('registers every v2 trigger of the codebase', async () => {
    const response = await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}/triggers`);
    const { triggers } = (await response.json()) as { triggers: { eventType: string; document: string }[] };
    expect(triggers.map((t) => t.eventType).sort()).toEqual([
      'google.cloud.firestore.document.v1.created',
      'google.cloud.firestore.document.v1.created.withAuthContext',
      'google.cloud.firestore.document.v1.deleted',
      'google.cloud.firestore.document.v1.updated',
      'google.cloud.firestore.document.v1.written',
      'google.cloud.firestore.document.v1.written',
    ]);
  });

  it('runs onDocumentWritten with before/after snapshots and path params, in commit order', async () => {
    const ref = h.admin().doc('sensors/temp-1');
    await ref.set({ celsius: 20 });
    await ref.update({ celsius: 21 });
    await ref.delete();
    const written = await logEntries((e) => e.kind === 'written', 3);
    expect(written.map((e) => [e.before, e.after])).toEqual([
      [null, { celsius: 20 }],
      [{ celsius: 20 }, { celsius: 21 }],
      [{ celsius: 21 }, null],
    ]);
    expect(written[0]).toMatchObject({
      type: 'google.cloud.firestore.document.v1.written',
      document: 'sensors/temp-1',
      params: { sensorId: 'temp-1' },
    });
  });

  it('runs onDocumentCreated, onDocumentUpdated and onDocumentDeleted each for its own change', async () => {
    const created = await logEntries((e) => e.kind === 'created', 1);
    expect(created).toEqual([
      expect.objectContaining({ after: { celsius: 20 }, params: { sensorId: 'temp-1' } }),
    ]);
    const updated = await logEntries((e) => e.kind === 'updated', 1);
    expect(updated).toEqual([expect.objectContaining({ before: { celsius: 20 }, after: { celsius: 21 } })]);
    const deleted = await logEntries((e) => e.kind === 'deleted', 1);
    expect(deleted).toEqual([expect.objectContaining({ before: { celsius: 21 } })]);
  });

  it('binds every wildcard of a nested pattern', async () => {
    await h.admin().doc('homes/h1/rooms/kitchen').set({ lights: 2 });
    const nested = await logEntries((e) => e.kind === 'nested', 1);
    expect(nested[0]).toMatchObject({ params: { homeId: 'h1', roomId: 'kitchen' }, after: { lights: 2 } });
  });

  it('gives the auth context of the writer to the withAuthContext variant', async () => {
    await setDoc(doc(h.web({ uid: 'ann' }), 'notes/n1'), { text: 'hello' });
    await h.admin().doc('notes/n2').set({ text: 'from the server' });
    const entries = await logEntries((e) => e.kind === 'withAuth', 2);
    const byNote = Object.fromEntries(entries.map((e) => [e.params.noteId, e]));
    expect(byNote.n1).toMatchObject({ authType: 'app_user', authId: 'ann' });
    expect(byNote.n2).toMatchObject({ authType: 'system' });
  });
});
