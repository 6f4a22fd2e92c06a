import { readFileSync } from 'node:fs';
import { type RunningEmulator, start } from '@esp32cloud/firestore-emulator';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  addDoc,
  collection,
  deleteDoc,
  doc,
  type Firestore,
  getDoc,
  getDocs,
  orderBy,
  query,
  setDoc,
  updateDoc,
  where,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, it } from 'vitest';

// The support portal's rules (docs/SUPPORT.md), the standard way (@firebase/rules-unit-testing against the
// Node-native emulator with the product's rules and indexes): a customer reads only their own tickets and
// threads; operators (custom claim role=operator) read every ticket, the audit log and device logs; nobody
// writes a ticket, a message or an audit entry from a client, operators included.

const RULES = readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8');
const projectId = `demo-support-rules-${Math.random().toString(36).slice(2, 10)}`;

let emulator: RunningEmulator;
let testEnv: RulesTestEnvironment;

const ticket = (id: string, uid: string) => ({
  ticket_id: id,
  number: 1001,
  customer_uid: uid,
  device_id: 'DEV_A',
  status: 'open',
  created_at: new Date(1_000),
});

beforeAll(async () => {
  emulator = await start({
    port: 0,
    projectId,
    quiet: true,
    indexesFile: new URL('../../firestore.indexes.json', import.meta.url).pathname,
    requireIndexes: true,
  });
  testEnv = await initializeTestEnvironment({
    projectId,
    firestore: { host: '127.0.0.1', port: emulator.port, rules: RULES },
  });
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    const seeds: [string, Record<string, unknown>][] = [
      ['support_tickets/t1', ticket('t1', 'alice')],
      ['support_tickets/t2', ticket('t2', 'bob')],
      [
        'support_tickets/t1/messages/m1',
        { author_uid: 'alice', body: 'ช่วยด้วย', created_at: new Date(1_000) },
      ],
      ['support_tickets/t2/messages/m1', { author_uid: 'bob', body: 'help', created_at: new Date(1_000) }],
      ['support_audit/a1', { action: 'release', device_id: 'DEV_A', actor_uid: 'op', at: new Date(1_000) }],
      ['devices/DEV_A/logs/l1', { level: 'error', message: 'wifi lost', received_at: new Date(1_000) }],
      ['user_devices/alice_DEV_A', { user_id: 'alice', device_id: 'DEV_A', access_level: 'owner' }],
      ['support_counters/tickets', { next: 1002 }],
    ];
    for (const [path, data] of seeds) await setDoc(doc(db, path), data);
  });
}, 60_000);

afterAll(async () => {
  await testEnv?.cleanup();
  await emulator?.stop();
});

const as = (uid: string): Firestore => testEnv.authenticatedContext(uid).firestore() as unknown as Firestore;
const operator = (): Firestore =>
  testEnv.authenticatedContext('op', { role: 'operator' }).firestore() as unknown as Firestore;

describe('support tickets', () => {
  it('a customer reads their own ticket and thread, and lists only their own', async () => {
    const db = as('alice');
    await assertSucceeds(getDoc(doc(db, 'support_tickets/t1')));
    await assertSucceeds(getDocs(collection(db, 'support_tickets/t1/messages')));
    await assertSucceeds(
      getDocs(
        query(
          collection(db, 'support_tickets'),
          where('customer_uid', '==', 'alice'),
          orderBy('created_at', 'desc'),
        ),
      ),
    );
  });

  it("a customer cannot read another customer's ticket, its thread, or list every ticket", async () => {
    const db = as('alice');
    await assertFails(getDoc(doc(db, 'support_tickets/t2')));
    await assertFails(getDocs(collection(db, 'support_tickets/t2/messages')));
    await assertFails(getDocs(collection(db, 'support_tickets')));
    await assertFails(getDocs(query(collection(db, 'support_tickets'), where('customer_uid', '==', 'bob'))));
  });

  it('a signed-out visitor reads nothing', async () => {
    const db = testEnv.unauthenticatedContext().firestore() as unknown as Firestore;
    await assertFails(getDoc(doc(db, 'support_tickets/t1')));
    await assertFails(getDocs(collection(db, 'support_audit')));
  });

  it('an operator reads every ticket and thread', async () => {
    const db = operator();
    await assertSucceeds(getDoc(doc(db, 'support_tickets/t2')));
    await assertSucceeds(getDocs(collection(db, 'support_tickets/t2/messages')));
    await assertSucceeds(getDocs(query(collection(db, 'support_tickets'), orderBy('created_at', 'desc'))));
  });

  it.each(['alice', 'op'])('%s writes no ticket or message from a client', async (who) => {
    const db = who === 'op' ? operator() : as(who);
    await assertFails(setDoc(doc(db, 'support_tickets/forged'), ticket('forged', 'alice')));
    await assertFails(updateDoc(doc(db, 'support_tickets/t1'), { status: 'resolved' }));
    await assertFails(deleteDoc(doc(db, 'support_tickets/t1')));
    await assertFails(addDoc(collection(db, 'support_tickets/t1/messages'), { body: 'forged' }));
    await assertFails(setDoc(doc(db, 'support_counters/tickets'), { next: 1 }));
  });
});

describe('audit log', () => {
  it('only operators read it', async () => {
    await assertSucceeds(getDocs(query(collection(operator(), 'support_audit'), orderBy('at', 'desc'))));
    await assertSucceeds(getDoc(doc(operator(), 'support_audit/a1')));
    await assertFails(getDoc(doc(as('alice'), 'support_audit/a1')));
    await assertFails(getDocs(collection(as('alice'), 'support_audit')));
  });

  it('a forged role claim of another name grants nothing', async () => {
    const db = testEnv.authenticatedContext('mallory', { role: 'admin' }).firestore() as unknown as Firestore;
    await assertFails(getDoc(doc(db, 'support_audit/a1')));
  });

  it.each(['alice', 'op'])(
    '%s cannot add, edit or delete an audit entry through the web SDK',
    async (who) => {
      const db = who === 'op' ? operator() : as(who);
      await assertFails(addDoc(collection(db, 'support_audit'), { action: 'release', actor_uid: who }));
      await assertFails(setDoc(doc(db, 'support_audit/a1'), { reason: 'rewritten' }));
      await assertFails(updateDoc(doc(db, 'support_audit/a1'), { reason: 'rewritten' }));
      await assertFails(deleteDoc(doc(db, 'support_audit/a1')));
    },
  );
});

describe('device logs', () => {
  it('operators read them (the live tail); the owner does not', async () => {
    await assertSucceeds(
      getDocs(query(collection(operator(), 'devices/DEV_A/logs'), orderBy('received_at', 'desc'))),
    );
    await assertFails(getDocs(collection(as('alice'), 'devices/DEV_A/logs')));
    await assertFails(setDoc(doc(operator(), 'devices/DEV_A/logs/forged'), { message: 'x' }));
  });
});
