import { type RunningEmulator, start } from '@esp32cloud/firestore-emulator';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  doc,
  type Firestore,
  getDoc,
  increment,
  serverTimestamp,
  setDoc,
  updateDoc,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// How the emulator applies rules, through @firebase/rules-unit-testing and the REST endpoint: uploads with
// syntax errors are refused with a position and the previous rules stay; token claims reach request.auth.token;
// request.resource is the document after the write, transforms included; getAfter sees the whole batch.

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /profiles/{uid} {
      allow get: if request.auth.uid == uid || request.auth.token.role == 'support';
      allow create: if request.auth.uid == uid
        && request.resource.data.keys().hasOnly(['name', 'updated_at', 'visits'])
        && request.resource.data.updated_at == request.time;
      allow update: if request.auth.uid == uid
        && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['visits', 'updated_at'])
        && request.resource.data.visits == resource.data.visits + 1;
    }
    match /heavy/{id} {
      // Six distinct document reads per write: a batch of three writes reads 18, of four 24 (over 20).
      allow create: if ${Array.from({ length: 6 }, (_, i) => `!exists(/databases/$(database)/documents/none/$(id)-${i})`).join(' && ')};
    }
    match /heavier/{id} {
      // Twelve distinct reads: over the limit of 10 for one operation, batched or not.
      allow create: if ${Array.from({ length: 12 }, (_, i) => `!exists(/databases/$(database)/documents/none/$(id)-${i})`).join(' && ')};
    }
    match /rooms/{room} {
      allow create: if getAfter(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid)).data.role == 'host';
      match /members/{uid} {
        allow create: if request.auth.uid == uid
          && existsAfter(/databases/$(database)/documents/rooms/$(room));
      }
    }
  }
}`;

const projectId = `demo-rules-${Math.random().toString(36).slice(2, 10)}`;
let emulator: RunningEmulator;
let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  emulator = await start({ port: 0, projectId, quiet: true });
  testEnv = await initializeTestEnvironment({
    projectId,
    firestore: { host: '127.0.0.1', port: emulator.port, rules: RULES },
  });
});

afterAll(async () => {
  await testEnv?.cleanup();
  await emulator?.stop();
});

const as = (uid: string, claims?: Record<string, unknown>): Firestore =>
  testEnv.authenticatedContext(uid, claims).firestore() as unknown as Firestore;

async function putRules(source: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${emulator.url}/emulator/v1/projects/${projectId}:securityRules`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: source }] } }),
  });
  return { status: res.status, body: await res.text() };
}

describe('rules upload', () => {
  it('refuses rules with a syntax error, naming line and column, and keeps the previous rules', async () => {
    await testEnv.withSecurityRulesDisabled((ctx) =>
      setDoc(doc(ctx.firestore(), 'profiles/alice'), { name: 'A' }),
    );
    const broken = RULES.replace('request.auth.uid == uid ||', 'request.auth.uid == uid ||| ');
    const res = await putRules(broken);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/5:\d+/);
    expect(res.body).toContain('unexpected');
    // The previous rules still judge requests.
    await assertSucceeds(getDoc(doc(as('alice'), 'profiles/alice')));
    await assertFails(getDoc(doc(as('bob'), 'profiles/alice')));
  });

  it('refuses rules naming an unknown variable', async () => {
    const res = await putRules(RULES.replace('request.auth.uid == uid ||', 'request.auth.uid == userId ||'));
    expect(res.status).toBe(400);
    expect(res.body).toContain("unknown variable 'userId'");
    await assertFails(getDoc(doc(as('bob'), 'profiles/alice')));
  });
});

describe('request.auth.token', () => {
  it('carries the ID token claims', async () => {
    await testEnv.withSecurityRulesDisabled((ctx) =>
      setDoc(doc(ctx.firestore(), 'profiles/alice'), { name: 'A' }),
    );
    await assertSucceeds(getDoc(doc(as('bob', { role: 'support' }), 'profiles/alice')));
    await assertFails(getDoc(doc(as('bob', { role: 'customer' }), 'profiles/alice')));
    await assertFails(getDoc(doc(testEnv.unauthenticatedContext().firestore(), 'profiles/alice')));
  });
});

describe('request.resource', () => {
  it('is the document after the write, with serverTimestamp resolved to request.time', async () => {
    const db = as('carol');
    await assertSucceeds(
      setDoc(doc(db, 'profiles/carol'), { name: 'C', updated_at: serverTimestamp(), visits: 0 }),
    );
    await assertFails(setDoc(doc(db, 'profiles/carol2'), { name: 'C', updated_at: serverTimestamp() }));
    await assertFails(
      setDoc(doc(as('dan'), 'profiles/dan'), { name: 'D', updated_at: new Date(0), visits: 0 }),
    );
    await assertFails(
      setDoc(doc(as('erin'), 'profiles/erin'), { name: 'E', admin: true, updated_at: serverTimestamp() }),
    );
  });

  it('sees increment() applied, and merges an update with the stored fields', async () => {
    const db = as('carol');
    await assertSucceeds(
      updateDoc(doc(db, 'profiles/carol'), { visits: increment(1), updated_at: serverTimestamp() }),
    );
    await assertFails(updateDoc(doc(db, 'profiles/carol'), { visits: increment(2) }));
    await assertFails(updateDoc(doc(db, 'profiles/carol'), { visits: increment(1), name: 'renamed' }));
    await testEnv.withSecurityRulesDisabled(async (ctx) => {
      const snap = await getDoc(doc(ctx.firestore(), 'profiles/carol'));
      expect(snap.get('visits')).toBe(1);
      expect(snap.get('name')).toBe('C');
    });
  });
});

describe('batched writes', () => {
  it('getAfter and existsAfter see every write of the batch', async () => {
    const db = as('hana');
    const batch = writeBatch(db);
    batch.set(doc(db, 'rooms/r1'), { title: 'r1' });
    batch.set(doc(db, 'rooms/r1/members/hana'), { role: 'host' });
    await assertSucceeds(batch.commit());
    // Alone, neither write passes: the room needs its host, the membership needs its room.
    await assertFails(setDoc(doc(db, 'rooms/r2'), { title: 'r2' }));
    await assertFails(setDoc(doc(db, 'rooms/r3/members/hana'), { role: 'host' }));
    const wrongRole = writeBatch(db);
    wrongRole.set(doc(db, 'rooms/r4'), { title: 'r4' });
    wrongRole.set(doc(db, 'rooms/r4/members/hana'), { role: 'guest' });
    await assertFails(wrongRole.commit());
  });
});

describe('document access limits', () => {
  it('allows 10 document reads per operation and 20 per batch', async () => {
    const db = as('ivan');
    const batchOf = (collection: string, ids: string[]) => {
      const batch = writeBatch(db);
      for (const id of ids) batch.set(doc(db, `${collection}/${id}`), { id });
      return batch.commit();
    };
    await assertSucceeds(setDoc(doc(db, 'heavy/one'), { n: 1 }));
    await assertSucceeds(batchOf('heavy', ['a', 'b', 'c']));
    await assertFails(batchOf('heavy', ['d', 'e', 'f', 'g']));
    await assertFails(setDoc(doc(db, 'heavier/one'), { n: 1 }));
    await assertFails(batchOf('heavier', ['a', 'b']));
  });
});
