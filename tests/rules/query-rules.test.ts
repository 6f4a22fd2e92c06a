import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  collection,
  doc,
  type Firestore,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  setDoc,
  where,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, start } from '../../tools/firestore-emulator/src/index.ts';

// Query authorization as production decides it: from the query's constraints ("rules are not filters"), never
// from the documents a query happens to return; and denial messages that name the rule and the reason but
// never another user's document.

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{id} {
      allow list: if request.auth != null && resource.data.owner == request.auth.uid;
    }
  }
}`;

const projectId = `demo-query-rules-${Math.random().toString(36).slice(2, 10)}`;
let emulator: RunningEmulator;
let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  emulator = await start({ port: 0, projectId, quiet: true });
  testEnv = await initializeTestEnvironment({
    projectId,
    firestore: { host: '127.0.0.1', port: emulator.port, rules: RULES },
  });
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await setDoc(doc(db, 'notes/alice-note'), { owner: 'alice', n: 1 });
    await setDoc(doc(db, 'notes/bob-secret-note'), { owner: 'bob', n: 2 });
  });
});

afterAll(async () => {
  await testEnv?.cleanup();
  await emulator?.stop();
});

const as = (uid: string): Firestore => testEnv.authenticatedContext(uid).firestore() as unknown as Firestore;

describe('denial messages', () => {
  it('name the rule and the reason but never a document the query would return', async () => {
    const db = as('alice');
    const unfiltered = (await assertFails(getDocs(collection(db, 'notes')))) as { message: string };
    expect(unfiltered.message).toMatch(
      /allow list @ L\d+ in match \/databases\/\{database\}\/documents\/notes\/\{id\}/,
    );
    expect(unfiltered.message).toContain('/databases/(default)/documents/notes (query)');
    expect(unfiltered.message).not.toContain('bob-secret-note');
    const others = (await assertFails(
      getDocs(query(collection(db, 'notes'), where('owner', '==', 'bob'))),
    )) as {
      message: string;
    };
    expect(others.message).not.toContain('bob-secret-note');
    expect(others.message).not.toContain('alice-note');
  });

  it('of a refused listener never name another document either', async () => {
    const message = await new Promise<string>((resolve) => {
      const stop = onSnapshot(
        query(collection(as('alice'), 'notes'), orderBy('n'), limit(5)),
        (snap) => {
          if (snap.metadata.fromCache) return;
          stop();
          resolve('allowed');
        },
        (err) => resolve(err.message),
      );
    });
    expect(message).toContain('notes (query)');
    expect(message).not.toContain('bob-secret-note');
  });

  it('still allow the query the rule can prove', async () => {
    const mine = await assertSucceeds(
      getDocs(query(collection(as('alice'), 'notes'), where('owner', '==', 'alice'))),
    );
    expect(mine.docs.map((d) => d.id)).toEqual(['alice-note']);
  });
});
