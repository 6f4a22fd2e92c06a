import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProvisionedDevice } from '@esp32cloud/functions/provisioning';
import { type DeviceType, type FlashConfig, flashConfigSchema } from '@esp32cloud/protocol';
import { type Label, labelSheetHtml } from './labels.ts';
import { qrSvg, writeQrFiles } from './qr.ts';
import { writeSecretFile } from './secret-files.ts';

// Everything the factory line needs from one batch, in the output directory (see USAGE in args.ts).

export interface ManifestEntry {
  serial_number: string;
  device_id: string;
  claim_code: string;
  setup_url: string;
}

export interface Manifest {
  batch_id: string;
  device_type: DeviceType;
  firmware_version: string;
  count: number;
  devices: ManifestEntry[];
}

export const paths = (out: string) => ({
  flash: (serial: string) => path.join(out, `${serial}.json`),
  png: (serial: string) => path.join(out, 'qr', `${serial}.png`),
  svg: (serial: string) => path.join(out, 'qr', `${serial}.svg`),
  labels: (batchId: string) => path.join(out, `labels-${batchId}.html`),
  manifest: (batchId: string) => path.join(out, `batch-${batchId}.json`),
});

export async function prepareOut(out: string): Promise<void> {
  await mkdir(path.join(out, 'qr'), { recursive: true });
}

/** Writes a device's flash JSON (0600) and QR files. */
export async function writeDeviceFiles(out: string, device: ProvisionedDevice): Promise<void> {
  const p = paths(out);
  const flash = p.flash(device.serial_number);
  await writeSecretFile(flash, `${JSON.stringify(device.flash_config, null, 2)}\n`);
  await writeQrFiles(device.setup_url, p.png(device.serial_number), p.svg(device.serial_number));
}

/** The flash files present in `out` for these serials (unparseable ones are skipped). */
export async function readFlashConfigs(out: string, serials: string[]): Promise<FlashConfig[]> {
  const found: FlashConfig[] = [];
  for (const serial of serials) {
    const file = paths(out).flash(serial);
    if (!existsSync(file)) continue;
    const parsed = flashConfigSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success) found.push(parsed.data);
  }
  return found;
}

export async function removeDeviceFiles(out: string, serials: string[]): Promise<void> {
  const p = paths(out);
  for (const serial of serials) {
    await Promise.all(
      [p.flash(serial), p.png(serial), p.svg(serial)].map((file) => rm(file, { force: true })),
    );
  }
}

export async function readManifest(out: string, batchId: string): Promise<Manifest | null> {
  const file = paths(out).manifest(batchId);
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as Manifest;
}

export async function writeManifest(out: string, manifest: Manifest): Promise<void> {
  await writeSecretFile(paths(out).manifest(manifest.batch_id), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The A4 sheet of every device of the batch, in the batch's serial order. */
export async function writeLabelSheet(out: string, manifest: Manifest, order: string[]): Promise<string> {
  const bySerial = new Map(manifest.devices.map((d) => [d.serial_number, d]));
  const labels: Label[] = [];
  for (const serial of order) {
    const entry = bySerial.get(serial);
    if (!entry) continue;
    labels.push({
      serial,
      deviceType: manifest.device_type,
      firmwareVersion: manifest.firmware_version,
      claimCode: entry.claim_code,
      setupUrl: entry.setup_url,
      qrSvg: existsSync(paths(out).svg(serial))
        ? await readFile(paths(out).svg(serial), 'utf8')
        : await qrSvg(entry.setup_url),
    });
  }
  const file = paths(out).labels(manifest.batch_id);
  await writeSecretFile(file, labelSheetHtml(manifest.batch_id, labels));
  return file;
}
