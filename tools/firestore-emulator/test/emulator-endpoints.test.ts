import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FieldValue, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, PROJECT, startHarness } from './helpers.ts';

// The emulator's own surface: HTTP/1.1 endpoints beside gRPC on one port, CORS, rules upload, import/export
// in readable JSON, and the CLI.

let h: Harness;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'firestore-emulator-'));
  h = await startHarness({ exportOnExit: path.join(dataDir, 'exported') });
});
afterAll(async () => {
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('HTTP/1.1 endpoints on the gRPC port', () => {
  it('answers GET / with Ok', async () => {
    const response = await fetch(`${h.emulator.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Ok');
  });

  it('answers CORS preflights from other localhost origins', async () => {
    const response = await fetch(
      `${h.emulator.url}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`,
      {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'DELETE',
          'access-control-request-headers': 'content-type,authorization',
        },
      },
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
  });

  it('clears one database with DELETE …/documents and leaves others alone', async () => {
    const db = h.admin();
    const other = h.admin('demo-other-project');
    await db.doc('clear/me').set({ v: 1 });
    await other.doc('clear/me').set({ v: 1 });
    const response = await fetch(
      `${h.emulator.url}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`,
      {
        method: 'DELETE',
      },
    );
    expect(response.status).toBe(200);
    expect((await db.doc('clear/me').get()).exists).toBe(false);
    expect((await other.doc('clear/me').get()).exists).toBe(true);
  });

  it('notifies listeners when data is cleared', async () => {
    const db = h.admin();
    await db.doc('clearlive/a').set({ v: 1 });
    const sizes: number[] = [];
    const stop = db.collection('clearlive').onSnapshot((snap) => sizes.push(snap.size));
    await expect.poll(() => sizes.at(-1)).toBe(1);
    await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`, {
      method: 'DELETE',
    });
    await expect.poll(() => sizes.at(-1)).toBe(0);
    stop();
  });

  it('loads rules with PUT :securityRules and rejects a malformed body with 400', async () => {
    const rules =
      "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /{document=**} {\n      allow read, write: if true;\n    }\n  }\n}\n";
    const ok = await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}:securityRules`, {
      method: 'PUT',
      body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: rules }] } }),
    });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}:securityRules`, {
      method: 'PUT',
      body: '{"rules": {}}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/files/);
  });

  it('rejects rules with a syntax error with 400 and keeps the previous rules', async () => {
    const db = h.web({ uid: 'someone' });
    const { doc, getDocFromServer } = await import('firebase/firestore');
    const put = (content: string) =>
      fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}:securityRules`, {
        method: 'PUT',
        body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content }] } }),
      });
    const open =
      "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /{document=**} {\n      allow read: if true;\n    }\n  }\n}\n";
    expect((await put(open)).status).toBe(200);
    const broken = await put(
      'service cloud.firestore { match /databases/{database}/documents { allow read: if ( } }',
    );
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
    expect((await getDocFromServer(doc(db, 'anything/x'))).exists()).toBe(false);
  });
});

describe('import and export', () => {
  it('exports readable JSON on stop and imports it on start', async () => {
    const exportDir = path.join(dataDir, 'roundtrip');
    const source = await startHarness({ exportOnExit: exportDir });
    const db = source.admin();
    const when = new Timestamp(1_700_000_000, 5_000);
    await db.doc('devices/ESP32_AA5510').set({
      device_type: '4Relay',
      name: 'ห้องนั่งเล่น',
      when,
      geo: new GeoPoint(1, 2),
      bytes: Buffer.from('hi'),
      ref: db.doc('user_devices/u1_ESP32_AA5510'),
      nested: { list: [1, 1.5, null, true] },
      nan: Number.NaN,
    });
    await db.doc('devices/ESP32_AA5510/commands/c1').set({ at: FieldValue.serverTimestamp() });
    const before = await db.doc('devices/ESP32_AA5510').get();
    await source.close();

    const file = path.join(exportDir, 'firestore_export', PROJECT, '(default).json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json.documents.map((d: { path: string }) => d.path)).toEqual([
      'devices/ESP32_AA5510',
      'devices/ESP32_AA5510/commands/c1',
    ]);
    expect(json.documents[0].fields.name).toEqual({ stringValue: 'ห้องนั่งเล่น' });
    expect(json.documents[0].fields.when).toEqual({ timestampValue: '2023-11-14T22:13:20.000005000Z' });

    const restored = await startHarness({ importDir: exportDir });
    try {
      const copy = await restored.admin().doc('devices/ESP32_AA5510').get();
      const { ref, ...rest } = copy.data()!;
      const { ref: beforeRef, ...beforeRest } = before.data()!;
      expect(rest).toEqual(beforeRest);
      expect(ref.path).toBe(beforeRef.path);
      expect(copy.updateTime!.isEqual(before.updateTime!)).toBe(true);
      expect((await restored.admin().doc('devices/ESP32_AA5510/commands/c1').get()).exists).toBe(true);
    } finally {
      await restored.close();
      process.env.FIRESTORE_EMULATOR_HOST = h.emulator.hostAndPort;
    }
  });

  it('exports on demand with POST :export (as firebase-tools asks)', async () => {
    await h.admin().doc('ondemand/x').set({ v: 1 });
    const response = await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}:export`, {
      method: 'POST',
      body: JSON.stringify({
        database: `projects/${PROJECT}/databases/(default)`,
        export_directory: dataDir,
        export_name: 'ondemand',
      }),
    });
    expect(response.status).toBe(200);
    const json = JSON.parse(
      await readFile(path.join(dataDir, 'ondemand', 'firestore_export', PROJECT, '(default).json'), 'utf8'),
    );
    expect(json.documents.some((d: { path: string }) => d.path === 'ondemand/x')).toBe(true);
    const bad = await fetch(`${h.emulator.url}/emulator/v1/projects/${PROJECT}:export`, {
      method: 'POST',
      body: '{}',
    });
    expect(bad.status).toBe(400);
  });

  it('imports hand-written JSON', async () => {
    const dir = path.join(dataDir, 'seed');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'firestore_export', PROJECT), { recursive: true });
    await writeFile(
      path.join(dir, 'firestore_export', PROJECT, '(default).json'),
      JSON.stringify({ documents: [{ path: 'seed/one', fields: { n: { integerValue: '7' } } }] }),
    );
    const seeded = await startHarness({ importDir: dir });
    try {
      expect((await seeded.admin().doc('seed/one').get()).get('n')).toBe(7);
    } finally {
      await seeded.close();
      process.env.FIRESTORE_EMULATOR_HOST = h.emulator.hostAndPort;
    }
  });
});

describe('CLI', () => {
  it('starts with flags, serves, and exports on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const exportDir = path.join(dataDir, 'cli-export');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--project',
        'demo-cli',
        '--export-on-exit',
        exportDir,
        '--quiet',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('CLI did not start')), 20_000);
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`CLI exited with ${code}`)));
      });
      expect(await (await fetch(`${url}/`)).text()).toBe('Ok');
      process.env.FIRESTORE_EMULATOR_HOST = url.replace('http://', '');
      const db = h.admin('demo-cli');
      await db.doc('cli/doc').set({ ok: true });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const json = JSON.parse(
        await readFile(path.join(exportDir, 'firestore_export', 'demo-cli', '(default).json'), 'utf8'),
      );
      expect(json.documents[0]).toMatchObject({ path: 'cli/doc', fields: { ok: { booleanValue: true } } });
    } finally {
      child.kill('SIGKILL');
      process.env.FIRESTORE_EMULATOR_HOST = h.emulator.hostAndPort;
    }
  });
});
