import { type RunningEmulator, start } from '@esp32cloud/firestore-emulator';
import { configureWebChannel } from '@esp32cloud/firestore-emulator/webchannel';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { uniqueEmail } from '../harness/auth.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack } from '../harness/stack.ts';
import {
  listenerState,
  openTestPage,
  openTestTabs,
  type PageConfig,
  serveTestPage,
  type TestPageServer,
  waitForSnapshot,
} from './page-harness.ts';

// The Firebase web SDK's browser build (bundled by a Vite production build) in real headless Chromium, against
// the Node-native Firestore emulator over WebChannel: signed in through the Auth emulator, it listens to a
// query and a document, sees admin writes arrive, writes what the rules allow and is refused what they deny,
// works with long polling, and reconnects and resumes when the emulator restarts on the same port.

const hasChromium = requireProgram('chromium');

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /public/{id} { allow read: if request.auth != null; }
    match /users/{uid}/notes/{id} { allow read, write: if request.auth != null && request.auth.uid == uid; }
  }
}`;

describe.skipIf(!hasChromium)('Firestore web SDK in Chromium over WebChannel', () => {
  let stack: Stack;
  let firestore: RunningEmulator;
  let web: TestPageServer;
  let browser: Browser;
  let adminApp: App;
  let admin: Firestore;
  const closers: Array<() => Promise<void>> = [];

  const channelLog: Array<Record<string, string>> = [];

  /** The emulator, with its WebChannel session log captured (one JSON line per session event). */
  async function startFirestore(port: number): Promise<RunningEmulator> {
    const emulator = await start({ host: '127.0.0.1', port, projectId: stack.projectId, quiet: true });
    configureWebChannel(emulator.service, { debug: true, log: (line) => channelLog.push(JSON.parse(line)) });
    return emulator;
  }

  /** Back channel modes used by the sessions a user opened ('streaming' / 'long-poll'). */
  function backChannelModes(uid: string): string[] {
    const sids = new Set(
      channelLog.filter((e) => e.event === 'session.open' && e.caller === `uid:${uid}`).map((e) => e.sid),
    );
    const modes = channelLog
      .filter((e) => e.event === 'session.backchannel' && sids.has(e.sid))
      .map((e) => e.mode!);
    return [...new Set(modes)].sort();
  }

  async function loadRules(): Promise<void> {
    const response = await fetch(`${firestore.url}/emulator/v1/projects/${stack.projectId}:securityRules`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: RULES }] } }),
    });
    expect(response.status).toBe(200);
  }

  function pageConfig(longPolling: boolean): PageConfig {
    return {
      projectId: stack.projectId,
      firestoreHost: firestore.host,
      firestorePort: firestore.port,
      authUrl: `http://${stack.authHost}`,
      longPolling,
    };
  }

  /** A fresh page (own SDK instance) with a freshly signed-up user. */
  async function signedInPage(longPolling = false) {
    const opened = await openTestPage(browser, web.url, pageConfig(longPolling));
    closers.push(opened.close);
    const uid = await opened.page.evaluate(({ email }) => window.harness.signUp(email, 'correct-horse-42'), {
      email: uniqueEmail('webchannel'),
    });
    return { ...opened, uid };
  }

  beforeAll(async () => {
    stack = await startStack({ firebase: ['auth'] });
    firestore = await startFirestore(0);
    await loadRules();
    process.env.FIRESTORE_EMULATOR_HOST = firestore.hostAndPort;
    adminApp = initializeApp({ projectId: stack.projectId }, `webchannel-${stack.projectId}`);
    admin = getFirestore(adminApp);
    web = await serveTestPage();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await browser?.close();
    await web?.stop();
    if (adminApp) await deleteApp(adminApp);
    await firestore?.stop();
    await stack?.stop();
  });

  it('listens to a query and a document and sees admin writes arrive (streaming back channel)', async () => {
    const { page, uid, errors } = await signedInPage();
    await page.evaluate(
      ({ notes }) => {
        window.harness.listenQuery('notes', notes);
        window.harness.listenDoc('board', 'public/board');
      },
      { notes: `users/${uid}/notes` },
    );
    await waitForSnapshot(page, 'notes', '!last.fromCache && last.docs.length === 0');
    await waitForSnapshot(page, 'board', '!last.fromCache && !last.exists');

    await admin.doc('public/board').set({ title: 'Hello', count: 1 });
    await admin.doc(`users/${uid}/notes/a`).set({ text: 'first', at: new Date('2026-01-02T03:04:05.678Z') });
    await admin.doc(`users/${uid}/notes/b`).set({ text: 'second', tags: ['x', 'y'], nested: { ok: true } });

    const board = await waitForSnapshot(page, 'board', 'last.exists && last.docs[0].data.count === 1');
    expect(board.events.at(-1)?.docs[0]?.data).toEqual({ title: 'Hello', count: 1 });
    const notes = await waitForSnapshot(page, 'notes', '!last.fromCache && last.docs.length === 2');
    expect(notes.events.at(-1)?.docs).toEqual([
      { id: 'a', data: { text: 'first', at: { seconds: 1767323045, nanoseconds: 678000000 } } },
      { id: 'b', data: { text: 'second', tags: ['x', 'y'], nested: { ok: true } } },
    ]);

    // Updates and deletes flow too.
    await admin.doc(`users/${uid}/notes/a`).delete();
    await admin.doc('public/board').update({ count: 2 });
    await waitForSnapshot(page, 'notes', 'last.docs.length === 1 && last.docs[0].id === "b"');
    await waitForSnapshot(page, 'board', 'last.docs[0]?.data.count === 2');
    // Streaming back channels served it (the SDK's buffering-proxy detection, on by default, may still fall
    // back to long polling on a badly loaded machine, which the long-polling test covers).
    expect(backChannelModes(uid)).toContain('streaming');
    expect(errors).toEqual([]);
  });

  it('writes a document the rules allow, and is refused one they deny (the listener is refused too)', async () => {
    const { page, uid, errors } = await signedInPage();
    await page.evaluate(({ notes }) => window.harness.listenQuery('mine', notes), {
      notes: `users/${uid}/notes`,
    });
    await waitForSnapshot(page, 'mine', '!last.fromCache');

    const allowed = await page.evaluate(
      ({ path }) => window.harness.write(path, { text: 'from the browser', n: 42 }),
      { path: `users/${uid}/notes/mine` },
    );
    expect(allowed).toBe('ok');
    await waitForSnapshot(page, 'mine', '!last.hasPendingWrites && last.docs.some((d) => d.id === "mine")');
    expect((await admin.doc(`users/${uid}/notes/mine`).get()).data()).toEqual({
      text: 'from the browser',
      n: 42,
    });

    const denied = await page.evaluate(() => window.harness.write('public/forbidden', { hacked: true }));
    expect(denied).toBe('permission-denied');
    expect((await admin.doc('public/forbidden').get()).exists).toBe(false);

    const deniedOther = await page.evaluate(() =>
      window.harness.write('users/someone-else/notes/x', { n: 1 }),
    );
    expect(deniedOther).toBe('permission-denied');

    // Reading another user's notes is refused to the listener.
    await page.evaluate(() => window.harness.listenQuery('theirs', 'users/someone-else/notes'));
    await page.waitForFunction(() => window.harness.state('theirs').errors.length > 0);
    const theirs = await page.evaluate(() => window.harness.state('theirs'));
    expect(theirs.errors[0]).toMatch(/^permission-denied/);

    // The write stream recovered from the refusals: a later allowed write still lands.
    const again = await page.evaluate(({ path }) => window.harness.write(path, { n: 2 }), {
      path: `users/${uid}/notes/after-denial`,
    });
    expect(again).toBe('ok');
    expect(errors).toEqual([]);
  });

  it('runs transactions, aggregation counts and the lite SDK (all REST) under the same rules', async () => {
    const { page, uid, errors } = await signedInPage();
    const counter = `users/${uid}/notes/counter`;
    for (let n = 1; n <= 3; n += 1) {
      expect(await page.evaluate((path) => window.harness.increment(path), counter)).toBe(n);
    }
    expect((await admin.doc(counter).get()).data()).toEqual({ n: 3 });

    const copied = await page.evaluate(({ from, to }) => window.harness.copy(from, to), {
      from: counter,
      to: `users/${uid}/notes/copy`,
    });
    expect(copied).toBe('ok');
    expect((await admin.doc(`users/${uid}/notes/copy`).get()).data()).toEqual({ n: 3 });

    const expected = (await admin.collection(`users/${uid}/notes`).count().get()).data().count;
    expect(await page.evaluate((path) => window.harness.count(path), `users/${uid}/notes`)).toBe(expected);

    expect(await page.evaluate(() => window.harness.count('users/someone-else/notes'))).toBe(
      'permission-denied',
    );

    // The lite SDK talks REST only (fetch): write, read back, query.
    const viaLite = await page.evaluate(
      (path) => window.harness.liteRoundTrip(path, { via: 'lite' }),
      `users/${uid}/notes/lite`,
    );
    expect(viaLite).toEqual({
      read: { via: 'lite' },
      listed: expect.arrayContaining(['copy', 'counter', 'lite']),
    });
    expect(await page.evaluate(() => window.harness.liteRoundTrip('public/lite', { via: 'lite' }))).toBe(
      'permission-denied',
    );
    expect(await page.evaluate(() => window.harness.increment('public/counter'))).toBe('permission-denied');
    expect((await admin.doc('public/counter').get()).exists).toBe(false);
    expect(errors).toEqual([]);
  });

  it('works with long polling (experimentalForceLongPolling)', async () => {
    const { page, uid, errors } = await signedInPage(true);
    await page.evaluate(
      ({ notes }) => {
        window.harness.listenQuery('notes', notes);
        window.harness.listenDoc('board', 'public/poll');
      },
      { notes: `users/${uid}/notes` },
    );
    await waitForSnapshot(page, 'notes', '!last.fromCache');
    await waitForSnapshot(page, 'board', '!last.fromCache');
    for (let n = 1; n <= 3; n += 1) {
      await admin.doc('public/poll').set({ n });
      await waitForSnapshot(page, 'board', `last.docs[0]?.data.n === ${n}`);
    }
    const written = await page.evaluate(({ path }) => window.harness.write(path, { by: 'long-poll' }), {
      path: `users/${uid}/notes/lp`,
    });
    expect(written).toBe('ok');
    await waitForSnapshot(page, 'notes', '!last.hasPendingWrites && last.docs.some((d) => d.id === "lp")');
    expect((await admin.doc(`users/${uid}/notes/lp`).get()).data()).toEqual({ by: 'long-poll' });
    expect(await page.evaluate(() => window.harness.write('public/nope', { x: 1 }))).toBe(
      'permission-denied',
    );
    expect(backChannelModes(uid)).toEqual(['long-poll']);
    expect(errors).toEqual([]);
  });

  it('keeps listening and writing with many tabs open on localhost (back channels get hosts of their own)', async () => {
    // Seven tabs in one profile hold seven hanging back channel GETs: on one host that would exhaust the
    // browser's six connections and starve the forward POSTs; on <prefix>.localhost hosts it does not.
    const tabs = await openTestTabs(
      browser,
      web.url,
      { ...pageConfig(false), firestoreHost: 'localhost' },
      7,
    );
    closers.push(tabs.close);
    const email = uniqueEmail('tabs');
    await tabs.pages[0]!.evaluate((e) => window.harness.signUp(e, 'correct-horse-42'), email);
    for (const page of tabs.pages.slice(1)) {
      await page.evaluate((e) => window.harness.signIn(e, 'correct-horse-42'), email);
    }
    for (const page of tabs.pages) {
      await page.evaluate(() => window.harness.listenDoc('shared', 'public/tabs'));
    }
    await admin.doc('public/tabs').set({ round: 1 });
    for (const page of tabs.pages) await waitForSnapshot(page, 'shared', 'last.docs[0]?.data.round === 1');
    // Rules allow no browser write under public/, so each tab's write is refused — by the server, which
    // proves its forward channel got through.
    for (const [i, page] of tabs.pages.entries()) {
      expect(await page.evaluate((n: number) => window.harness.write(`public/tab-${n}`, { n }), i)).toBe(
        'permission-denied',
      );
    }
    await admin.doc('public/tabs').set({ round: 2 });
    for (const page of tabs.pages) await waitForSnapshot(page, 'shared', 'last.docs[0]?.data.round === 2');
    expect(tabs.errors).toEqual([]);
  });

  it('sees the same snapshots in the same order as a Node listener', async () => {
    const { page, errors } = await signedInPage();
    const nodeSeen: string[] = [];
    const stopNode = admin.collection('public').onSnapshot((snapshot) => {
      nodeSeen.push(
        JSON.stringify(snapshot.docs.filter((d) => d.id.startsWith('order-')).map((d) => [d.id, d.data()])),
      );
    });
    try {
      await page.evaluate(() => window.harness.listenQuery('all', 'public'));
      await waitForSnapshot(page, 'all', '!last.fromCache');
      for (let n = 1; n <= 5; n += 1) {
        await admin.doc(`public/order-${n % 2}`).set({ n });
        await waitForSnapshot(page, 'all', `last.docs.some((d) => d.data.n === ${n})`);
      }
      const browserState = await page.evaluate(() => window.harness.state('all'));
      const browserSeen = browserState.events
        .filter((event) => !event.fromCache)
        .map((event) =>
          JSON.stringify(event.docs.filter((d) => d.id.startsWith('order-')).map((d) => [d.id, d.data])),
        );
      const dedupe = (list: string[]) => list.filter((entry, i) => i === 0 || entry !== list[i - 1]);
      await expect.poll(() => dedupe(nodeSeen).at(-1)).toBe(dedupe(browserSeen).at(-1));
      expect(dedupe(browserSeen)).toEqual(dedupe(nodeSeen).slice(-dedupe(browserSeen).length));
    } finally {
      stopNode();
    }
    expect(errors).toEqual([]);
  });

  it('while offline, serves its cache and holds its write; back online, it catches up both ways', async () => {
    const { page, uid, errors } = await signedInPage();
    await page.evaluate(({ notes }) => window.harness.listenQuery('notes', notes), {
      notes: `users/${uid}/notes`,
    });
    await waitForSnapshot(page, 'notes', '!last.fromCache');
    await page.context().setOffline(true);
    // The page's own write while offline is applied locally and held: it cannot reach the server.
    const pendingWrite = page.evaluate(({ path }) => window.harness.write(path, { by: 'offline page' }), {
      path: `users/${uid}/notes/written-offline`,
    });
    await waitForSnapshot(
      page,
      'notes',
      'last.hasPendingWrites && last.docs.some((d) => d.id === "written-offline")',
    );
    await admin.doc(`users/${uid}/notes/while-offline`).set({ missed: true });
    // The SDK notices it lost the server: its snapshots turn to the cache (fromCache) while the admin write waits.
    await waitForSnapshot(page, 'notes', 'last.fromCache', 45_000);
    expect((await admin.doc(`users/${uid}/notes/written-offline`).get()).exists).toBe(false);
    const offline = await listenerState(page, 'notes');
    expect(offline.events.at(-1)?.docs.some((d) => d.id === 'while-offline')).toBe(false);

    await page.context().setOffline(false);
    await waitForSnapshot(
      page,
      'notes',
      '!last.fromCache && !last.hasPendingWrites && last.docs.some((d) => d.id === "while-offline") && last.docs.some((d) => d.id === "written-offline")',
      45_000,
    );
    expect(await pendingWrite).toBe('ok');
    expect((await admin.doc(`users/${uid}/notes/written-offline`).get()).data()).toEqual({
      by: 'offline page',
    });
    expect(errors).toEqual([]);
  }, 120_000);

  it('reconnects and resumes when the emulator restarts on the same port', async () => {
    const { page, uid, errors } = await signedInPage();
    await page.evaluate(
      ({ notes }) => {
        window.harness.listenDoc('board', 'public/restart');
        window.harness.listenQuery('notes', notes);
      },
      { notes: `users/${uid}/notes` },
    );
    await admin.doc('public/restart').set({ generation: 1 });
    await waitForSnapshot(page, 'board', '!last.fromCache && last.docs[0]?.data.generation === 1');

    const port = firestore.port;
    await firestore.stop();
    firestore = await startFirestore(port);
    await loadRules();

    // The new instance starts empty; the page's listeners re-establish (after the SDK's reconnect backoff,
    // seconds: hence the longer bounds) and converge on its data.
    await admin.doc('public/restart').set({ generation: 2 });
    await waitForSnapshot(page, 'board', '!last.fromCache && last.docs[0]?.data.generation === 2', 45_000);
    await admin.doc(`users/${uid}/notes/after-restart`).set({ ok: true });
    await waitForSnapshot(
      page,
      'notes',
      '!last.fromCache && last.docs.some((d) => d.id === "after-restart")',
      45_000,
    );

    // The write stream comes back as well.
    const written = await page.evaluate(({ path }) => window.harness.write(path, { ok: 'again' }), {
      path: `users/${uid}/notes/written-after-restart`,
    });
    expect(written).toBe('ok');
    expect((await admin.doc(`users/${uid}/notes/written-after-restart`).get()).exists).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
