import path from 'node:path';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness/stack.ts';

// Firestore triggers through the shared start path (tests/harness/stack.ts → scripts/lib/firebase-emulators.ts,
// the same path `npm start` takes): a functions codebase with v2 Firestore triggers runs in the Functions
// emulator beside our Firestore emulator, and a document change reaches them.

let stack: Stack;
let app: App;
let db: Firestore;

beforeAll(async () => {
  stack = await startStack({
    firestore: true,
    firebase: ['functions'],
    functionsSource: path.join(import.meta.dirname, 'functions-fixture'),
  });
  process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost!;
  app = initializeApp({ projectId: stack.projectId }, `triggers-${stack.projectId}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await stack?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: trigger_log entries are read loosely by the assertions.
type Entry = Record<string, any>;

/** trigger_log entries of one kind, once `count` have arrived (bounded: a worker's cold start takes seconds). */
async function logged(kind: string, count: number): Promise<Entry[]> {
  for (let i = 0; i < 600; i++) {
    const entries = (await db.collection('trigger_log').orderBy('at').get()).docs
      .map((d) => d.data())
      .filter((e) => e.kind === kind);
    if (entries.length >= count) return entries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} "${kind}" trigger_log entries`);
}

describe('Firestore triggers under the shared emulator start', { timeout: 120_000 }, () => {
  it("registers the codebase's triggers with our Firestore emulator", async () => {
    const response = await fetch(
      `http://${stack.firestoreHost}/emulator/v1/projects/${stack.projectId}/triggers`,
    );
    const { triggers } = (await response.json()) as { triggers: { eventType: string }[] };
    expect(triggers.map((t) => t.eventType).sort()).toEqual([
      'google.cloud.firestore.document.v1.created.withAuthContext',
      'google.cloud.firestore.document.v1.written',
    ]);
  });

  it('runs onDocumentWritten for each change, in commit order, with before/after and path params', async () => {
    const ref = db.doc('thermostats/kitchen');
    await ref.set({ celsius: 20 });
    await ref.update({ celsius: 22 });
    await ref.delete();
    const written = await logged('written', 3);
    expect(written.map((e) => [e.before, e.after])).toEqual([
      [null, { celsius: 20 }],
      [{ celsius: 20 }, { celsius: 22 }],
      [{ celsius: 22 }, null],
    ]);
    expect(written.every((e) => e.params.roomId === 'kitchen')).toBe(true);
  });

  it('runs the auth-context variant with the writer (an Admin SDK write is "system")', async () => {
    const [entry] = await logged('createdBy', 1);
    expect(entry).toMatchObject({ params: { roomId: 'kitchen' }, authType: 'system' });
  });
});
