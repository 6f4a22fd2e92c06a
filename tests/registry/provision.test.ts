import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flashConfigSchema, isDeviceId, parseSetupQuery, validateSerial } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { requireProgram } from '../harness/programs.ts';
import { type Stack, startStack, useStackEnv } from '../harness/stack.ts';
import { decodeQrCodes, provision, readManifest, runCli } from './helpers.ts';

// The manufacturing CLI as the factory runs it (a child process against the Firestore emulator): what it writes
// to Firestore and to disk, that every QR code scans to the right link, that the label sheet renders, and that
// batches are idempotent and never collide.

// Checked once, before any test: a missing program skips the tests that need it (listed as skipped, with the
// reason printed), or fails the run under REQUIRE_PROGRAMS=1.
const hasZbar = requireProgram('zbarimg');
const hasChromium = requireProgram('chromium');
const canScanSheet = hasZbar && hasChromium;

let stack: Stack;
let db: Firestore;
let workDir: string;
const APP = 'https://app.example.test';

beforeAll(async () => {
  stack = await startStack({ firestore: true });
  useStackEnv(stack);
  const app =
    getApps().find((a) => a.name === stack.projectId) ??
    initializeApp({ projectId: stack.projectId }, stack.projectId);
  db = getFirestore(app);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'provision-test-'));
});

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function batchDevices(batchId: string) {
  const snap = await db.collection('devices').where('batch_id', '==', batchId).get();
  return snap.docs.map((d) => d.data());
}

describe('npm run provision', () => {
  const out = () => path.join(workDir, 'b-main');
  let devices: Awaited<ReturnType<typeof provision>>['devices'];

  it('creates available devices with configs, hashed secrets and serial reservations', async () => {
    const result = await provision(stack, {
      type: '4Relay',
      count: 30,
      out: out(),
      batch: 'b-main',
      appUrl: APP,
    });
    devices = result.devices;
    expect(result.summary).toMatchObject({
      batch_id: 'b-main',
      created: 30,
      total: 30,
      already_complete: false,
    });
    expect(devices).toHaveLength(30);
    const docs = await batchDevices('b-main');
    expect(docs).toHaveLength(30);
    for (const doc of docs) {
      expect(doc).toMatchObject({
        status: 'available',
        device_type: '4Relay',
        firmware_version: '1.0.0',
        owner_uid: null,
      });
      expect(validateSerial(doc.serial_number).ok).toBe(true);
      expect(isDeviceId(doc.device_id)).toBe(true);
      expect(doc.state).toMatchObject({ online: false, outputs: { relay1: false, relay4: false } });
    }
    for (const device of devices) {
      const [config, secret, serial] = await Promise.all([
        db.doc(`device_configs/${device.device_id}`).get(),
        db.doc(`device_secrets/${device.device_id}`).get(),
        db.doc(`serials/${device.serial_number}`).get(),
      ]);
      expect(config.data()).toMatchObject({ wifi_ssid: null, update_interval: 30, custom_settings: {} });
      expect(serial.data()).toMatchObject({ device_id: device.device_id, batch_id: 'b-main' });
      const stored = JSON.stringify(secret.data());
      expect(stored).toContain('scrypt$');
      expect(stored).not.toContain(device.claim_code);
      expect(secret.data()).toMatchObject({
        broker_username: device.serial_number,
        broker_registered: false,
      });
    }
  });

  it('writes a 0600 flash JSON per device that matches the FlashConfig schema', async () => {
    for (const device of devices) {
      const file = path.join(out(), `${device.serial_number}.json`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const flash = flashConfigSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      expect(flash).toMatchObject({
        serial_number: device.serial_number,
        device_id: device.device_id,
        device_type: '4Relay',
        username: device.serial_number,
        broker_url: expect.stringMatching(/^mqtts?:\/\//),
      });
      expect(flash.password.length).toBeGreaterThanOrEqual(16);
    }
  });

  it.skipIf(!hasZbar)('writes QR codes (PNG and SVG) that decode to each device setup link', async () => {
    for (const device of devices) {
      expect(device.setup_url).toBe(
        `${APP}/setup?sn=${device.serial_number}&c=${device.claim_code}&type=4Relay`,
      );
      expect(parseSetupQuery(new URL(device.setup_url).search)).toEqual({
        serial: device.serial_number,
        claimCode: device.claim_code,
        type: '4Relay',
      });
      const png = path.join(out(), 'qr', `${device.serial_number}.png`);
      expect(await decodeQrCodes(png)).toEqual([device.setup_url]);
      const svg = await readFile(path.join(out(), 'qr', `${device.serial_number}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
  });

  it.skipIf(!canScanSheet)('renders an A4 label sheet whose every QR code scans (Chromium)', async () => {
    const sheet = path.join(out(), 'labels-b-main.html');
    const html = await readFile(sheet, 'utf8');
    for (const device of devices) expect(html).toContain(device.serial_number);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 800, height: 1200 } });
      await page.goto(`file://${sheet}`);
      const labels = await page.locator('.label').evaluateAll((nodes) =>
        nodes.map((n) => ({
          serial: (n as HTMLElement).dataset.serial,
          text: n.textContent,
          width: n.getBoundingClientRect().width,
        })),
      );
      // In the batch's order, one label per device.
      expect(labels.map((l) => l.serial)).toEqual(devices.map((d) => d.serial_number));
      for (const label of labels) {
        expect(label.text).toContain('4-channel relay board');
        expect(label.width).toBeGreaterThan(200); // 70 mm at 96 dpi ≈ 264 px
      }
      expect(await page.locator('.page').count()).toBe(2); // 30 labels: 24 on page one, 6 on page two
      const shot = path.join(out(), 'sheet.png');
      await page.screenshot({ path: shot, fullPage: true });
      const decoded = await decodeQrCodes(shot);
      expect(new Set(decoded)).toEqual(new Set(devices.map((d) => d.setup_url)));
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    } finally {
      await browser.close();
    }
  });

  it('never duplicates devices when a batch id is re-run, and refills lost files', async () => {
    const lost = devices[0];
    rmSync(path.join(out(), `${lost.serial_number}.json`));
    const plain = await provision(stack, {
      type: '4Relay',
      count: 30,
      out: out(),
      batch: 'b-main',
      appUrl: APP,
    });
    expect(plain.summary).toMatchObject({ created: 0, total: 30, already_complete: true, without_files: 1 });
    const again = await provision(stack, {
      type: '4Relay',
      count: 30,
      out: out(),
      batch: 'b-main',
      appUrl: APP,
      extra: ['--reissue-missing'],
    });
    expect(again.summary).toMatchObject({ created: 0, total: 30, already_complete: true, without_files: 0 });
    expect(await batchDevices('b-main')).toHaveLength(30);
    const refreshed = again.devices.find((d) => d.serial_number === lost.serial_number)!;
    expect(refreshed.claim_code).not.toBe(lost.claim_code);
    expect(statSync(path.join(out(), `${lost.serial_number}.json`)).isFile()).toBe(true);
    const files = (await readdir(out())).filter((f) => /^ESP32\d{8}[A-Z]\.json$/.test(f));
    expect(files).toHaveLength(30);
  });

  it('drops files of devices the database does not have (a directory reused across fresh emulators)', async () => {
    const dir = path.join(workDir, 'reused');
    const first = await provision(stack, { type: 'Sensor', count: 2, out: dir, batch: 'b-reused' });
    // The database forgets the batch (as a restarted emulator would); its devices' files remain on disk.
    for (const device of first.devices) {
      await Promise.all(
        [`devices/${device.device_id}`, `serials/${device.serial_number}`].map((doc) => db.doc(doc).delete()),
      );
    }
    await db.doc('batches/b-reused').delete();
    const second = await provision(stack, { type: 'Sensor', count: 2, out: dir, batch: 'b-reused' });
    expect(second.summary).toMatchObject({ created: 2, total: 2 });
    expect(second.devices).toHaveLength(2);
    const files = (await readdir(dir)).filter((f) => /^ESP32\d{8}[A-Z]\.json$/.test(f)).sort();
    expect(files).toEqual(second.devices.map((d) => `${d.serial_number}.json`).sort());
    for (const device of first.devices) {
      expect(
        statSync(path.join(dir, 'qr', `${device.serial_number}.png`), { throwIfNoEntry: false }),
      ).toBeUndefined();
    }
  });

  it('refuses to re-run a batch id with different settings', async () => {
    const run = await runCli(stack, 'scripts/provision.ts', [
      ...[
        '--type',
        'LED',
        '--count',
        '30',
        '--firmware',
        '1.0.0',
        '--out',
        out(),
        '--batch',
        'b-main',
        '--quiet',
      ],
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Batch b-main exists');
    expect(await batchDevices('b-main')).toHaveLength(30);
  });

  it.skipIf(!hasChromium)('prints the label sheet to an A4 PDF with --pdf', async () => {
    const dir = path.join(workDir, 'pdf');
    const result = await provision(stack, {
      type: 'LED',
      count: 26,
      out: dir,
      batch: 'b-pdf',
      extra: ['--pdf'],
    });
    const pdfFile = path.join(dir, 'labels-b-pdf.pdf');
    expect((result.summary as unknown as { labels_pdf: string }).labels_pdf).toBe(pdfFile);
    const pdf = await readFile(pdfFile);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // 26 labels at 24 a sheet: two A4 pages (595 × 842 pt).
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
    // Chromium writes A4 as 594.96 × 841.92 pt.
    expect(pdf.toString('latin1')).toMatch(/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]/);
  });

  it('rejects bad flags with the usage', async () => {
    const run = await runCli(stack, 'scripts/provision.ts', [
      '--type',
      'Toaster',
      '--count',
      '0',
      '--out',
      out(),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--type');
    expect(run.stderr).toContain('Usage: npm run provision');
  });
});

describe('concurrent provisioning', () => {
  it('never collides across batches running at once', async () => {
    const batches = ['c-1', 'c-2', 'c-3'];
    const results = await Promise.all(
      batches.map((batch) =>
        provision(stack, { type: 'Sensor', count: 40, out: path.join(workDir, batch), batch }),
      ),
    );
    const serials = results.flatMap((r) => r.devices.map((d) => d.serial_number));
    const ids = results.flatMap((r) => r.devices.map((d) => d.device_id));
    expect(serials).toHaveLength(120);
    expect(new Set(serials).size).toBe(120);
    expect(new Set(ids).size).toBe(120);
    for (const batch of batches) expect(await batchDevices(batch)).toHaveLength(40);
  });

  it('makes exactly `count` devices when the same batch id runs twice at once', async () => {
    const [a, b] = await Promise.all(
      ['same-a', 'same-b'].map((dir) =>
        provision(stack, { type: 'LED', count: 35, out: path.join(workDir, dir), batch: 'same' }),
      ),
    );
    expect(a.summary.total).toBe(35);
    expect(b.summary.total).toBe(35);
    expect(await batchDevices('same')).toHaveLength(35);
    // Between them the two runs made each device once.
    expect(a.summary.created + b.summary.created).toBe(35);
    // Each run holds the files of exactly the devices it made, and none of the other's.
    const madeByA = (await readManifest(path.join(workDir, 'same-a'), 'same')).map((d) => d.serial_number);
    const madeByB = (await readManifest(path.join(workDir, 'same-b'), 'same')).map((d) => d.serial_number);
    expect(madeByA.length + madeByB.length).toBe(35);
    expect(new Set([...madeByA, ...madeByB]).size).toBe(35);
    expect(a.summary.without_files).toBe(madeByB.length);
  });
});
