import { readFileSync } from 'node:fs';
import { type RunningEmulator, start } from '@esp32cloud/firestore-emulator';
import {
  ownedDevicesByIdQuery,
  ownedDevicesQuery,
  ownerLinksQuery,
  sharedLinksQuery,
  userLinksQuery,
} from '@esp32cloud/hosting/devices/queries';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  documentId,
  type Firestore,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  type Query,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The product's firestore.rules, proven the standard way: @firebase/rules-unit-testing, unchanged, against the
// Node-native emulator started in this process on a free port. Alice owns DEV_A, Bob controls it, Carol views
// it; Dave owns DEV_B and has no link to DEV_A; the visitor is signed out.

const RULES = readFileSync(new URL('../../firestore.rules', import.meta.url), 'utf8');
const projectId = `demo-rules-${Math.random().toString(36).slice(2, 10)}`;

let emulator: RunningEmulator;
let testEnv: RulesTestEnvironment;

const LEVELS = { alice: 'owner', bob: 'controller', carol: 'viewer' } as const;
type Member = keyof typeof LEVELS;
const MEMBERS = Object.keys(LEVELS) as Member[];

function link(uid: string, deviceId: string, level: string) {
  return {
    user_id: uid,
    device_id: deviceId,
    device_name: 'ห้องนั่งเล่น',
    access_level: level,
    added_at: new Date(0),
  };
}

function device(id: string, owner: string) {
  return {
    device_id: id,
    serial_number: `SN_${id}`,
    device_type: '4Relay',
    status: 'active',
    owner_uid: owner,
    state: { online: true, outputs: { relay1: false } },
    desired: { outputs: { relay1: true }, command_id: 'c1' },
  };
}

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
      ['devices/DEV_A', device('DEV_A', 'alice')],
      ['devices/DEV_B', device('DEV_B', 'dave')],
      ['devices/DEV_C', { ...device('DEV_C', ''), status: 'available' }],
      [
        'devices/DEV_A/commands/c1',
        { id: 'c1', command: 'set_relay', status: 'acked', requested_by: 'alice' },
      ],
      ['devices/DEV_B/commands/c2', { id: 'c2', command: 'set_relay', status: 'sent', requested_by: 'dave' }],
      ['devices/DEV_A/usage/2026-11-25', { on_seconds: 3600 }],
      ['devices/DEV_B/usage/2026-11-25', { on_seconds: 60 }],
      ['devices/DEV_A/history_hours/2026-11-25T08', { start_ms: 1, messages: 12 }],
      ['devices/DEV_A/history_days/2026-11-25', { start_ms: 1, messages: 288 }],
      ['devices/DEV_B/history_hours/2026-11-25T08', { start_ms: 1, messages: 12 }],
      ['devices/DEV_B/history_days/2026-11-25', { start_ms: 1, messages: 288 }],
      ['devices/DEV_A/logs/l1', { line: 'boot' }],
      [
        'device_configs/DEV_A',
        { wifi_ssid: 'home', mqtt_broker_url: 'mqtt://127.0.0.1', update_interval: 30 },
      ],
      ['device_configs/DEV_B', { wifi_ssid: 'dave-home', update_interval: 60 }],
      ['user_devices/alice_DEV_A', link('alice', 'DEV_A', 'owner')],
      ['user_devices/bob_DEV_A', link('bob', 'DEV_A', 'controller')],
      ['user_devices/carol_DEV_A', link('carol', 'DEV_A', 'viewer')],
      ['user_devices/dave_DEV_B', link('dave', 'DEV_B', 'owner')],
      // Malformed links (only a buggy function could write them) grant nothing:
      ['user_devices/eve_DEV_B', link('eve', 'DEV_A', 'owner')], // names another device
      ['user_devices/frank_DEV_B', link('mallory', 'DEV_B', 'owner')], // names another user
      ['user_devices/gina_DEV_B', link('gina', 'DEV_B', 'admin')], // unknown level
      ['device_secrets/DEV_A', { claim_code_hash: 'x', broker_password_hash: 'y' }],
      ['serials/SN_DEV_A', { device_id: 'DEV_A' }],
      ['batches/b1', { count: 10 }],
      ['rate_limits/claim:alice', { count: 1 }],
      // Alerts (issue 14): only notifications and settings are the user's to read.
      [
        'users/alice/notifications/n1',
        { notification_id: 'n1', fired_at: '2026-12-01T00:00:00Z', read: false },
      ],
      [
        'users/bob/notifications/n2',
        { notification_id: 'n2', fired_at: '2026-12-01T00:00:00Z', read: false },
      ],
      ['notification_settings/alice', { language: 'th', email: 'alice@example.com' }],
      ['notification_settings/bob', { language: 'en', email: 'bob@example.com' }],
      ['alert_rules/r1', { rule_id: 'r1', device_id: 'DEV_A', owner_uid: 'alice', enabled: true }],
      ['alert_state/r1', { rule_id: 'r1', active: true, episode_id: 'n1' }],
      ['alerts/n1', { alert_id: 'n1', device_id: 'DEV_A', recipients: ['alice'] }],
      ['alert_outbox/o1', { channel: 'email', uid: 'alice', state: 'pending' }],
      ['alert_usage/alice_2026-12-01', { count: 1 }],
      ['webhooks/w1', { owner_uid: 'alice', url: 'http://127.0.0.1:9/hook', secret: 'whsec_x' }],
      ['webhooks/w1/deliveries/d1', { ok: true }],
      ['email_unsubscribe/tok', { uid: 'alice' }],
      // Integrations (issue 16): keys are stored hashed and still unreadable; organisations are API-only.
      ['api_keys/abc123', { key_id: 'abc', owner_uid: 'alice', organisation_id: 'org1', scope: 'admin' }],
      ['organisations/org1', { organisation_id: 'org1', name: 'ร้านอลิซ', owner_uid: 'alice' }],
      ['organisation_members/org1_alice', { organisation_id: 'org1', uid: 'alice', role: 'admin' }],
      ['organisation_members/org1_bob', { organisation_id: 'org1', uid: 'bob', role: 'member' }],
      ['claim_locks/alice', { uid: 'alice' }],
    ];
    for (const [path, data] of seeds) await setDoc(doc(db, path), data);
  });
});

afterAll(async () => {
  await testEnv?.cleanup();
  await emulator?.stop();
});

const as = (uid: string): Firestore => testEnv.authenticatedContext(uid).firestore() as unknown as Firestore;
const visitor = (): Firestore => testEnv.unauthenticatedContext().firestore() as unknown as Firestore;

/** The request is refused by the rules: the SDK's permission-denied code, not just any failure. */
async function expectDenied(request: Promise<unknown>): Promise<void> {
  const outcome = await request.then(
    () => 'allowed',
    (error: { code?: string }) => error.code,
  );
  expect(outcome).toBe('permission-denied');
}

describe('devices/{id} and its live state', () => {
  it.each(MEMBERS)('%s (linked) reads DEV_A with its state and desired shadow', async (uid) => {
    const snap = await assertSucceeds(getDoc(doc(as(uid), 'devices/DEV_A')));
    expect(snap.get('state.online')).toBe(true);
    expect(snap.get('desired.outputs.relay1')).toBe(true);
  });

  it.each(MEMBERS)('%s cannot read DEV_B, a device they have no link to', async (uid) => {
    await assertFails(getDoc(doc(as(uid), 'devices/DEV_B')));
  });

  it('dave reads his own DEV_B but not DEV_A', async () => {
    await assertSucceeds(getDoc(doc(as('dave'), 'devices/DEV_B')));
    await assertFails(getDoc(doc(as('dave'), 'devices/DEV_A')));
  });

  it('the signed-out visitor reads no device', async () => {
    await assertFails(getDoc(doc(visitor(), 'devices/DEV_A')));
    await assertFails(getDoc(doc(visitor(), 'devices/DEV_C')));
  });

  it('nobody reads an unclaimed device, or a device that does not exist', async () => {
    await assertFails(getDoc(doc(as('alice'), 'devices/DEV_C')));
    await assertFails(getDoc(doc(as('alice'), 'devices/NOPE')));
  });

  it('malformed links grant nothing: wrong device, wrong user, unknown level', async () => {
    await assertFails(getDoc(doc(as('eve'), 'devices/DEV_B')));
    await assertFails(getDoc(doc(as('frank'), 'devices/DEV_B')));
    await assertFails(getDoc(doc(as('gina'), 'devices/DEV_B')));
  });

  it.each([...MEMBERS, 'dave'])(
    '%s cannot list devices whole, or filtered on anything but their own owner_uid',
    async (uid) => {
      const db = as(uid);
      await assertFails(getDocs(collection(db, 'devices')));
      await assertFails(
        getDocs(query(collection(db, 'devices'), where('device_id', '==', 'DEV_A'), limit(1))),
      );
      const other = uid === 'alice' ? 'dave' : 'alice';
      await assertFails(getDocs(query(collection(db, 'devices'), where('owner_uid', '==', other))));
    },
  );

  it("the app's owned-devices query (hosting/src/devices/queries.ts) lists exactly the caller's own devices", async () => {
    const alice = await assertSucceeds(getDocs(ownedDevicesQuery(as('alice'), 'alice')));
    expect(alice.docs.map((d) => d.id)).toEqual(['DEV_A']);
    const dave = await assertSucceeds(getDocs(ownedDevicesQuery(as('dave'), 'dave')));
    expect(dave.docs.map((d) => d.id)).toEqual(['DEV_B']);
    // A controller or viewer owns nothing: an empty, allowed answer; asking for the owner's is denied.
    expect((await assertSucceeds(getDocs(ownedDevicesQuery(as('bob'), 'bob')))).size).toBe(0);
    await assertFails(getDocs(ownedDevicesQuery(as('bob'), 'alice')));
    await assertFails(getDocs(ownedDevicesQuery(visitor(), 'alice')));
  });

  it("the dashboard's first-screen query (owned devices by id) returns only the caller's own, asked for", async () => {
    const alice = await assertSucceeds(
      getDocs(ownedDevicesByIdQuery(as('alice'), 'alice', ['DEV_A', 'DEV_B'])),
    );
    expect(alice.docs.map((d) => d.id)).toEqual(['DEV_A']);
    // bob may read DEV_A as a controller, but it is not his: the owned query by id answers nothing.
    expect((await assertSucceeds(getDocs(ownedDevicesByIdQuery(as('bob'), 'bob', ['DEV_A'])))).size).toBe(0);
    await assertFails(getDocs(ownedDevicesByIdQuery(as('bob'), 'alice', ['DEV_A'])));
  });

  it('the visitor cannot list devices', async () => {
    await assertFails(getDocs(collection(visitor(), 'devices')));
  });

  it('a live listener on a linked device receives its state; an unlinked one is refused', async () => {
    const state = await new Promise<unknown>((resolve, reject) => {
      const stop = onSnapshot(
        doc(as('carol'), 'devices/DEV_A'),
        (snap) => {
          stop();
          resolve(snap.get('state'));
        },
        reject,
      );
    });
    expect(state).toEqual({ online: true, outputs: { relay1: false } });
    const code = await new Promise<string>((resolve) => {
      const stop = onSnapshot(
        doc(as('dave'), 'devices/DEV_A'),
        () => {
          stop();
          resolve('allowed');
        },
        (err) => resolve((err as { code: string }).code),
      );
    });
    expect(code).toBe('permission-denied');
  });
});

describe('devices/{id}/commands, usage and logs', () => {
  it.each(MEMBERS)('%s reads and lists DEV_A commands and usage', async (uid) => {
    const db = as(uid);
    await assertSucceeds(getDoc(doc(db, 'devices/DEV_A/commands/c1')));
    const commands = await assertSucceeds(getDocs(collection(db, 'devices/DEV_A/commands')));
    expect(commands.docs.map((d) => d.id)).toEqual(['c1']);
    await assertSucceeds(getDoc(doc(db, 'devices/DEV_A/usage/2026-11-25')));
    await assertSucceeds(getDocs(collection(db, 'devices/DEV_A/usage')));
  });

  it.each(MEMBERS)('%s cannot read DEV_B commands or usage', async (uid) => {
    const db = as(uid);
    await assertFails(getDoc(doc(db, 'devices/DEV_B/commands/c2')));
    await assertFails(getDocs(collection(db, 'devices/DEV_B/commands')));
    await assertFails(getDocs(collection(db, 'devices/DEV_B/usage')));
  });

  it.each([...MEMBERS, 'dave'])('%s cannot read device logs, not even their own device', async (uid) => {
    const db = as(uid);
    await assertFails(getDoc(doc(db, 'devices/DEV_A/logs/l1')));
    await assertFails(getDocs(collection(db, 'devices/DEV_A/logs')));
  });

  it('nobody reads commands across devices through a collection-group query', async () => {
    await assertFails(getDocs(collectionGroup(as('alice'), 'commands')));
    await assertFails(
      getDocs(query(collectionGroup(as('alice'), 'commands'), where('requested_by', '==', 'alice'))),
    );
  });

  it.each(MEMBERS)('%s reads DEV_A history through the link, not DEV_B, and writes none', async (uid) => {
    const db = as(uid);
    await assertSucceeds(getDoc(doc(db, 'devices/DEV_A/history_hours/2026-11-25T08')));
    await assertSucceeds(getDocs(collection(db, 'devices/DEV_A/history_days')));
    await assertFails(getDoc(doc(db, 'devices/DEV_B/history_hours/2026-11-25T08')));
    await assertFails(getDocs(collection(db, 'devices/DEV_B/history_days')));
    await assertFails(getDocs(collectionGroup(db, 'history_days')));
    await assertFails(setDoc(doc(db, 'devices/DEV_A/history_hours/2026-11-26T00'), { messages: 1 }));
    await assertFails(updateDoc(doc(db, 'devices/DEV_A/history_days/2026-11-25'), { messages: 0 }));
  });

  it('the visitor reads no command or usage', async () => {
    await assertFails(getDoc(doc(visitor(), 'devices/DEV_A/commands/c1')));
    await assertFails(getDocs(collection(visitor(), 'devices/DEV_A/usage')));
  });

  it('an empty command list of a linked device is allowed; of an unlinked one, denied', async () => {
    await assertSucceeds(
      getDocs(query(collection(as('alice'), 'devices/DEV_A/commands'), where('status', '==', 'queued'))),
    );
    await assertFails(
      getDocs(query(collection(as('alice'), 'devices/DEV_B/commands'), where('status', '==', 'queued'))),
    );
  });
});

describe('device_configs/{id}', () => {
  it.each(MEMBERS)('%s reads the DEV_A config', async (uid) => {
    const snap = await assertSucceeds(getDoc(doc(as(uid), 'device_configs/DEV_A')));
    expect(snap.get('wifi_ssid')).toBe('home');
  });

  it.each(MEMBERS)('%s cannot read the DEV_B config or list configs', async (uid) => {
    await assertFails(getDoc(doc(as(uid), 'device_configs/DEV_B')));
    await assertFails(getDocs(collection(as(uid), 'device_configs')));
  });

  it('the visitor reads no config', async () => {
    await assertFails(getDoc(doc(visitor(), 'device_configs/DEV_A')));
  });
});

describe('user_devices/{uid}_{deviceId}', () => {
  it.each(MEMBERS)('%s reads their own link and lists exactly their own links', async (uid) => {
    const db = as(uid);
    const own = await assertSucceeds(getDoc(doc(db, `user_devices/${uid}_DEV_A`)));
    expect(own.get('access_level')).toBe(LEVELS[uid]);
    const mine = await assertSucceeds(
      getDocs(query(collection(db, 'user_devices'), where('user_id', '==', uid))),
    );
    expect(mine.docs.map((d) => d.id)).toEqual([`${uid}_DEV_A`]);
  });

  it.each(MEMBERS)("%s cannot read another user's link, even to the same device", async (uid) => {
    const db = as(uid);
    for (const other of [...MEMBERS, 'dave']) {
      if (other === uid) continue;
      await assertFails(getDoc(doc(db, `user_devices/${other}_${other === 'dave' ? 'DEV_B' : 'DEV_A'}`)));
    }
  });

  it.each(MEMBERS)('%s cannot list links without filtering on their own uid', async (uid) => {
    const db = as(uid);
    await assertFails(getDocs(collection(db, 'user_devices')));
    await assertFails(getDocs(query(collection(db, 'user_devices'), where('device_id', '==', 'DEV_A'))));
    await assertFails(getDocs(query(collection(db, 'user_devices'), where('user_id', '==', 'dave'))));
    await assertFails(getDocs(query(collection(db, 'user_devices'), where('access_level', '==', 'owner'))));
  });

  it('a user with no links lists none (an empty, allowed answer), and cannot peek at others', async () => {
    const db = as('newcomer');
    const none = await assertSucceeds(
      getDocs(query(collection(db, 'user_devices'), where('user_id', '==', 'newcomer'))),
    );
    expect(none.size).toBe(0);
    await assertFails(getDocs(query(collection(db, 'user_devices'), where('user_id', '==', 'alice'))));
  });

  it("the app's dashboard query (hosting/src/devices/queries.ts) lists a user's own links live; an unfiltered listener gets PERMISSION_DENIED", async () => {
    const db = as('carol');
    const dashboard = userLinksQuery(db, 'carol');
    const once = await assertSucceeds(getDocs(dashboard));
    expect(once.docs.map((d) => d.id)).toEqual(['carol_DEV_A']);
    const ids = await new Promise<string[]>((resolve, reject) => {
      const stop = onSnapshot(
        dashboard,
        { includeMetadataChanges: true },
        (snap) => {
          if (snap.metadata.fromCache) return;
          stop();
          resolve(snap.docs.map((d) => d.id));
        },
        reject,
      );
    });
    expect(ids).toEqual(['carol_DEV_A']);
    // The same builder with someone else's uid is the query a tampered client would make: refused whole.
    await expectDenied(getDocs(userLinksQuery(db, 'alice')));
    const code = await new Promise<string>((resolve) => {
      const stop = onSnapshot(
        collection(db, 'user_devices'),
        (snap) => {
          // The SDK may first show what its cache holds; only the server's answer counts.
          if (snap.metadata.fromCache) return;
          stop();
          resolve('allowed');
        },
        (err) => resolve((err as { code: string }).code),
      );
    });
    expect(code).toBe('permission-denied');
  });

  it("the dashboard's shared-links listener and the owner-links query (queries.ts) split a user's links by level, and only their own", async () => {
    const idsOf = async (q: Query) => (await assertSucceeds(getDocs(q))).docs.map((d) => d.id);
    // Live too: the dashboard listens to the shared links.
    const live = await new Promise<string[]>((resolve, reject) => {
      const stop = onSnapshot(
        sharedLinksQuery(as('bob'), 'bob'),
        (snap) => {
          if (snap.metadata.fromCache) return;
          stop();
          resolve(snap.docs.map((d) => d.id));
        },
        reject,
      );
    });
    expect(live).toEqual(['bob_DEV_A']);
    expect(await idsOf(sharedLinksQuery(as('carol'), 'carol'))).toEqual(['carol_DEV_A']);
    expect(await idsOf(sharedLinksQuery(as('alice'), 'alice'))).toEqual([]);
    expect(await idsOf(ownerLinksQuery(as('alice'), 'alice'))).toEqual(['alice_DEV_A']);
    expect(await idsOf(ownerLinksQuery(as('bob'), 'bob'))).toEqual([]);
    await expectDenied(getDocs(sharedLinksQuery(as('bob'), 'carol')));
    await expectDenied(getDocs(ownerLinksQuery(as('bob'), 'alice')));
  });

  it("the app's listeners on each linked device, its commands and its config are allowed for every level", async () => {
    for (const uid of MEMBERS) {
      const db = as(uid);
      const seen = await new Promise<unknown>((resolve, reject) => {
        const stop = onSnapshot(
          doc(db, 'devices', 'DEV_A'),
          { includeMetadataChanges: true },
          (snap) => {
            if (snap.metadata.fromCache) return;
            stop();
            resolve(snap.get('state.online'));
          },
          reject,
        );
      });
      expect(seen, uid).toBe(true);
      const command = await assertSucceeds(getDoc(doc(db, 'devices', 'DEV_A', 'commands', 'c1')));
      expect(command.get('status'), uid).toBe('acked');
      const config = await assertSucceeds(getDoc(doc(db, 'device_configs', 'DEV_A')));
      expect(config.get('update_interval'), uid).toBe(30);
    }
  });

  it('a query by document id alone is denied, even when it would return only their own link', async () => {
    const db = as('alice');
    await assertFails(
      getDocs(query(collection(db, 'user_devices'), where(documentId(), '==', 'alice_DEV_A'))),
    );
    await assertSucceeds(
      getDocs(
        query(
          collection(db, 'user_devices'),
          where('user_id', '==', 'alice'),
          where(documentId(), '==', 'alice_DEV_A'),
        ),
      ),
    );
  });

  it('a link whose user_id is not the caller is not theirs, whatever its id says', async () => {
    await assertFails(getDoc(doc(as('frank'), 'user_devices/frank_DEV_B')));
  });

  it('the visitor reads and lists no link', async () => {
    await assertFails(getDoc(doc(visitor(), 'user_devices/alice_DEV_A')));
    await assertFails(getDocs(collection(visitor(), 'user_devices')));
    await assertFails(getDocs(query(collection(visitor(), 'user_devices'), where('user_id', '==', 'alice'))));
  });
});

describe('secrets and internal collections', () => {
  const internal = ['device_secrets/DEV_A', 'serials/SN_DEV_A', 'batches/b1', 'rate_limits/claim:alice'];
  it.each([...MEMBERS, 'dave'])('%s reads and lists none of them', async (uid) => {
    const db = as(uid);
    for (const path of internal) {
      await assertFails(getDoc(doc(db, path)));
      await assertFails(getDocs(collection(db, path.split('/')[0])));
    }
  });

  it('the visitor reads none of them', async () => {
    for (const path of internal) await assertFails(getDoc(doc(visitor(), path)));
  });

  it('an unknown collection is denied', async () => {
    await assertFails(getDoc(doc(as('alice'), 'anything/x')));
  });
});

describe('client writes: none are granted', () => {
  it.each(MEMBERS)('%s cannot raise their own access level or rewrite their link', async (uid) => {
    const db = as(uid);
    await assertFails(updateDoc(doc(db, `user_devices/${uid}_DEV_A`), { access_level: 'owner' }));
    await assertFails(setDoc(doc(db, `user_devices/${uid}_DEV_A`), link(uid, 'DEV_A', 'owner')));
    await assertFails(updateDoc(doc(db, `user_devices/${uid}_DEV_A`), { device_name: 'renamed' }));
    await assertFails(deleteDoc(doc(db, `user_devices/${uid}_DEV_A`)));
  });

  it.each([...MEMBERS, 'eve'])('%s cannot link themselves to a device they do not hold', async (uid) => {
    await assertFails(setDoc(doc(as(uid), `user_devices/${uid}_DEV_B`), link(uid, 'DEV_B', 'owner')));
  });

  it('the owner cannot grant someone else access directly', async () => {
    await assertFails(setDoc(doc(as('alice'), 'user_devices/dave_DEV_A'), link('dave', 'DEV_A', 'viewer')));
  });

  it.each(MEMBERS)('%s cannot change a device: status, owner, desired state, or delete it', async (uid) => {
    const db = as(uid);
    await assertFails(updateDoc(doc(db, 'devices/DEV_A'), { status: 'available' }));
    await assertFails(updateDoc(doc(db, 'devices/DEV_A'), { owner_uid: uid }));
    await assertFails(updateDoc(doc(db, 'devices/DEV_A'), { 'desired.outputs.relay1': false }));
    await assertFails(updateDoc(doc(db, 'devices/DEV_A'), { 'state.last_seen': serverTimestamp() }));
    await assertFails(deleteDoc(doc(db, 'devices/DEV_A')));
  });

  it('nobody claims an available device by writing it', async () => {
    await assertFails(
      updateDoc(doc(as('alice'), 'devices/DEV_C'), { status: 'registered', owner_uid: 'alice' }),
    );
    await assertFails(setDoc(doc(as('alice'), 'devices/NEW'), device('NEW', 'alice')));
  });

  it.each(MEMBERS)('%s cannot write commands, configs, usage, logs or secrets', async (uid) => {
    const db = as(uid);
    await assertFails(
      setDoc(doc(db, 'devices/DEV_A/commands/x'), { command: 'set_relay', status: 'queued' }),
    );
    await assertFails(updateDoc(doc(db, 'devices/DEV_A/commands/c1'), { status: 'acked' }));
    await assertFails(updateDoc(doc(db, 'device_configs/DEV_A'), { wifi_ssid: 'evil' }));
    await assertFails(setDoc(doc(db, 'devices/DEV_A/usage/2026-11-26'), { on_seconds: 1 }));
    await assertFails(setDoc(doc(db, 'devices/DEV_A/logs/x'), { line: 'x' }));
    await assertFails(setDoc(doc(db, 'device_secrets/DEV_A'), { claim_code_hash: 'mine' }));
    await assertFails(setDoc(doc(db, 'rate_limits/claim:' + uid), { count: 0 }));
  });

  it('batched writes and transactions are judged the same way', async () => {
    const db = as('alice');
    const batch = writeBatch(db);
    batch.update(doc(db, 'user_devices/alice_DEV_A'), { device_name: 'x' });
    batch.update(doc(db, 'devices/DEV_A'), { status: 'registered' });
    await assertFails(batch.commit());
    await assertFails(
      runTransaction(db, async (tx) => {
        const snap = await tx.get(doc(db, 'devices/DEV_A'));
        tx.update(snap.ref, { owner_uid: 'alice' });
      }),
    );
  });

  it('the visitor writes nothing', async () => {
    await assertFails(setDoc(doc(visitor(), 'devices/DEV_X'), { status: 'registered' }));
    await assertFails(setDoc(doc(visitor(), 'user_devices/x_DEV_A'), link('x', 'DEV_A', 'owner')));
  });

  it('the denied writes left the data unchanged', async () => {
    await testEnv.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore() as unknown as Firestore;
      expect((await getDoc(doc(db, 'devices/DEV_A'))).data()).toEqual(device('DEV_A', 'alice'));
      expect((await getDoc(doc(db, 'user_devices/carol_DEV_A'))).get('access_level')).toBe('viewer');
      expect((await getDoc(doc(db, 'user_devices/alice_DEV_B'))).exists()).toBe(false);
    });
  });
});

describe('access follows the link', () => {
  it('removing a link (as Cloud Functions would) revokes reads at once; restoring it restores them', async () => {
    await assertSucceeds(getDoc(doc(as('carol'), 'devices/DEV_A')));
    await testEnv.withSecurityRulesDisabled((ctx) =>
      deleteDoc(doc(ctx.firestore(), 'user_devices/carol_DEV_A')),
    );
    await assertFails(getDoc(doc(as('carol'), 'devices/DEV_A')));
    await assertFails(getDoc(doc(as('carol'), 'device_configs/DEV_A')));
    await testEnv.withSecurityRulesDisabled((ctx) =>
      setDoc(doc(ctx.firestore(), 'user_devices/carol_DEV_A'), link('carol', 'DEV_A', 'viewer')),
    );
    await assertSucceeds(getDoc(doc(as('carol'), 'devices/DEV_A')));
  });

  it("a removed user's live listener on the device is cut off with PERMISSION_DENIED at its next change", async () => {
    const seen: unknown[] = [];
    let stop = () => {};
    const refused = new Promise<string>((resolve) => {
      stop = onSnapshot(
        doc(as('carol'), 'devices/DEV_A'),
        (snap) => seen.push(snap.get('desired.command_id')),
        (err) => resolve((err as { code: string }).code),
      );
    });
    const bounded = <T>(promise: Promise<T>, what: string) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} in 15 s`)), 15_000)),
      ]);
    try {
      await bounded(
        (async () => {
          while (seen.length === 0) await new Promise((r) => setTimeout(r, 20));
        })(),
        'first snapshot',
      );
      expect(seen).toEqual(['c1']);
      await testEnv.withSecurityRulesDisabled(async (ctx) => {
        await deleteDoc(doc(ctx.firestore(), 'user_devices/carol_DEV_A'));
        await updateDoc(doc(ctx.firestore(), 'devices/DEV_A'), { 'desired.command_id': 'after-removal' });
      });
      expect(await bounded(refused, 'refusal')).toBe('permission-denied');
      expect(seen).not.toContain('after-removal');
    } finally {
      stop();
      await testEnv.withSecurityRulesDisabled(async (ctx) => {
        await setDoc(doc(ctx.firestore(), 'user_devices/carol_DEV_A'), link('carol', 'DEV_A', 'viewer'));
        await updateDoc(doc(ctx.firestore(), 'devices/DEV_A'), { 'desired.command_id': 'c1' });
      });
    }
  });

  it('a denial is PERMISSION_DENIED, whichever rule refused it', async () => {
    // The code is the contract (any Firestore emulator, and production, answer it); the wording is not.
    await expectDenied(getDoc(doc(as('dave'), 'devices/DEV_A')));
    await expectDenied(getDoc(doc(as('alice'), 'device_secrets/DEV_A')));
    await expectDenied(getDocs(collection(as('alice'), 'devices')));
  });
});

describe('alerts: notifications, settings and the server-only alert collections', () => {
  it("a user reads and lists their own notifications live, and nobody else's", async () => {
    const alice = as('alice');
    await assertSucceeds(getDoc(doc(alice, 'users/alice/notifications/n1')));
    const own = await assertSucceeds(
      getDocs(query(collection(alice, 'users/alice/notifications'), orderBy('fired_at', 'desc'), limit(20))),
    );
    expect(own.docs.map((d) => d.id)).toEqual(['n1']);
    await assertFails(getDoc(doc(alice, 'users/bob/notifications/n2')));
    await assertFails(getDocs(collection(alice, 'users/bob/notifications')));
    await assertFails(getDocs(collectionGroup(alice, 'notifications')));
    await assertFails(getDoc(doc(visitor(), 'users/alice/notifications/n1')));
  });

  it("a user reads their own notification settings, not another's (an address is personal)", async () => {
    await assertSucceeds(getDoc(doc(as('alice'), 'notification_settings/alice')));
    await assertFails(getDoc(doc(as('alice'), 'notification_settings/bob')));
    await assertFails(getDocs(collection(as('alice'), 'notification_settings')));
    await assertFails(getDoc(doc(visitor(), 'notification_settings/alice')));
  });

  const serverOnly = [
    'alert_rules/r1',
    'alert_state/r1',
    'alerts/n1',
    'alert_outbox/o1',
    'alert_usage/alice_2026-12-01',
    'webhooks/w1',
    'webhooks/w1/deliveries/d1',
    'email_unsubscribe/tok',
  ];
  it.each([...MEMBERS, 'dave'])(
    '%s reads none of the server-only alert documents (webhook secrets among them)',
    async (uid) => {
      const db = as(uid);
      for (const path of serverOnly) await assertFails(getDoc(doc(db, path)));
      await assertFails(getDocs(query(collection(db, 'webhooks'), where('owner_uid', '==', uid))));
      await assertFails(getDocs(query(collection(db, 'alert_rules'), where('device_id', '==', 'DEV_A'))));
    },
  );

  it.each(MEMBERS)(
    '%s writes no alert, notification, setting, rule or webhook from a client',
    async (uid) => {
      const db = as(uid);
      await assertFails(setDoc(doc(db, `users/${uid}/notifications/forged`), { read: false }));
      await assertFails(updateDoc(doc(db, 'users/alice/notifications/n1'), { read: true }));
      await assertFails(deleteDoc(doc(db, 'users/alice/notifications/n1')));
      await assertFails(setDoc(doc(db, `notification_settings/${uid}`), { email: 'evil@example.com' }));
      await assertFails(setDoc(doc(db, 'alert_rules/forged'), { device_id: 'DEV_A', owner_uid: uid }));
      await assertFails(setDoc(doc(db, 'alert_state/r1'), { active: false }));
      await assertFails(setDoc(doc(db, 'alerts/forged'), { device_id: 'DEV_A' }));
      await assertFails(setDoc(doc(db, 'alert_outbox/forged'), { channel: 'webhook' }));
      await assertFails(setDoc(doc(db, 'webhooks/forged'), { owner_uid: uid, url: 'http://x' }));
    },
  );
});

describe('integrations: API keys, organisations and claim locks are server-only', () => {
  const serverOnly = [
    'api_keys/abc123',
    'organisations/org1',
    'organisation_members/org1_alice',
    'organisation_members/org1_bob',
    'claim_locks/alice',
  ];
  it.each([...MEMBERS, 'dave'])(
    '%s reads none of them, not even their own organisation or key',
    async (uid) => {
      const db = as(uid);
      for (const path of serverOnly) await assertFails(getDoc(doc(db, path)));
      await assertFails(getDocs(query(collection(db, 'api_keys'), where('owner_uid', '==', uid))));
      await assertFails(getDocs(query(collection(db, 'organisation_members'), where('uid', '==', uid))));
      await assertFails(setDoc(doc(db, 'organisation_members/org1_dave'), { uid: 'dave', role: 'admin' }));
    },
  );
});
