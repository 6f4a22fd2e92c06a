import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  and,
  collection,
  doc,
  type Firestore,
  getDocs,
  limit,
  onSnapshot,
  or,
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
    match /posts/{id} {
      allow list: if request.query.limit <= 10 && resource.data.published == true;
    }
    match /scores/{id} {
      allow list: if resource.data.points >= 100 && resource.data.team in ['red', 'blue'];
    }
    match /groups/{id} {
      allow list: if request.auth.uid in resource.data.members;
    }
    match /feed/{id} {
      allow list: if request.query.orderBy == 'at' && (request.query.offset == null || request.query.offset <= 20);
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
    await setDoc(doc(db, 'posts/p1'), { published: true, at: 1 });
    await setDoc(doc(db, 'scores/s1'), { points: 150, team: 'red' });
    await setDoc(doc(db, 'groups/g1'), { members: ['alice', 'bob'] });
    await setDoc(doc(db, 'feed/f1'), { at: 1 });
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

describe('rules are not filters', () => {
  it('refuses a query whose results all happen to be readable when its filters do not prove it', async () => {
    const db = as('alice');
    // Only alice's note has n == 1, but nothing in the query says the owner is alice.
    let onlyMine: string[] = [];
    await testEnv.withSecurityRulesDisabled(async (ctx) => {
      const snap = await getDocs(query(collection(ctx.firestore(), 'notes'), where('n', '==', 1)));
      onlyMine = snap.docs.map((d) => d.id);
    });
    expect(onlyMine).toEqual(['alice-note']);
    await assertFails(getDocs(query(collection(db, 'notes'), where('n', '==', 1))));
    await assertSucceeds(
      getDocs(query(collection(db, 'notes'), where('owner', '==', 'alice'), where('n', '==', 1))),
    );
  });

  it('allows in only when every value passes, and judges OR queries disjunct by disjunct', async () => {
    const db = as('alice');
    await assertSucceeds(getDocs(query(collection(db, 'notes'), where('owner', 'in', ['alice']))));
    await assertFails(getDocs(query(collection(db, 'notes'), where('owner', 'in', ['alice', 'bob']))));
    await assertFails(
      getDocs(query(collection(db, 'notes'), or(where('owner', '==', 'alice'), where('n', '==', 1)))),
    );
    await assertSucceeds(
      getDocs(
        query(
          collection(db, 'notes'),
          and(where('owner', '==', 'alice'), or(where('n', '==', 1), where('n', '==', 3))),
        ),
      ),
    );
  });

  it('holds range filters to the range the rule asks for', async () => {
    const db = as('alice');
    const teams = where('team', 'in', ['red', 'blue']);
    await assertSucceeds(getDocs(query(collection(db, 'scores'), where('points', '>=', 100), teams)));
    await assertSucceeds(getDocs(query(collection(db, 'scores'), where('points', '>', 120), teams)));
    await assertFails(getDocs(query(collection(db, 'scores'), where('points', '>', 50), teams)));
    await assertFails(getDocs(query(collection(db, 'scores'), where('points', '>=', 100))));
    await assertFails(
      getDocs(query(collection(db, 'scores'), where('points', '>=', 100), where('team', '==', 'green'))),
    );
  });

  it('proves list membership from array-contains', async () => {
    await assertSucceeds(
      getDocs(query(collection(as('alice'), 'groups'), where('members', 'array-contains', 'alice'))),
    );
    await assertFails(
      getDocs(query(collection(as('alice'), 'groups'), where('members', 'array-contains', 'bob'))),
    );
    await assertFails(getDocs(collection(as('alice'), 'groups')));
  });

  it('reads request.query.limit, offset and orderBy together with resource conditions', async () => {
    const db = as('alice');
    const published = where('published', '==', true);
    await assertSucceeds(getDocs(query(collection(db, 'posts'), published, limit(10))));
    await assertFails(getDocs(query(collection(db, 'posts'), published, limit(11))));
    await assertFails(getDocs(query(collection(db, 'posts'), published)));
    await assertFails(getDocs(query(collection(db, 'posts'), limit(5))));
    await assertSucceeds(getDocs(query(collection(db, 'feed'), orderBy('at'))));
    await assertFails(getDocs(query(collection(db, 'feed'), orderBy('n'))));
  });
});
