import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from '../harness/stack.ts';

// Shared by the registry suites: the factory CLIs run as child processes with a stack's environment, exactly
// as an operator would run them, and HTTP calls to the api function as a client would make them.

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  stack: Stack,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, script), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...stack.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export interface ProvisionSummary {
  batch_id: string;
  created: number;
  total: number;
  already_complete: boolean;
  without_files: number;
  out: string;
  labels: string;
}

export interface ManifestDevice {
  serial_number: string;
  device_id: string;
  claim_code: string;
  setup_url: string;
}

export async function provision(
  stack: Stack,
  options: {
    type: string;
    count: number;
    firmware?: string;
    out: string;
    batch: string;
    appUrl?: string;
    extra?: string[];
  },
): Promise<{ summary: ProvisionSummary; devices: ManifestDevice[] }> {
  const run = await runCli(stack, 'scripts/provision.ts', [
    '--type',
    options.type,
    '--count',
    String(options.count),
    '--firmware',
    options.firmware ?? '1.0.0',
    '--out',
    options.out,
    '--batch',
    options.batch,
    '--app-url',
    options.appUrl ?? 'https://app.example.test',
    '--quiet',
    ...(options.extra ?? []),
  ]);
  if (run.code !== 0) throw new Error(`provision exited ${run.code}: ${run.stderr}`);
  const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as ProvisionSummary;
  return { summary, devices: await readManifest(options.out, options.batch) };
}

export async function readManifest(out: string, batch: string): Promise<ManifestDevice[]> {
  const manifest = JSON.parse(await readFile(path.join(out, `batch-${batch}.json`), 'utf8')) as {
    devices: ManifestDevice[];
  };
  return manifest.devices;
}

/** Every QR code zbarimg finds in an image file. */
export async function decodeQrCodes(file: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('zbarimg', [
      '--quiet',
      '--raw',
      '-Sdisable',
      '-Sqrcode.enable',
      file,
    ]);
    return stdout.split('\n').filter((line) => line.length > 0);
  } catch (error) {
    // zbarimg exits 4 when it finds no symbol.
    if ((error as { code?: number }).code === 4) return [];
    throw error;
  }
}

export { type ApiCall, call } from '../harness/api.ts';
