import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A production web build without the Firebase web config fails instead of shipping an app-config.js that points
// every visitor's browser at their own 127.0.0.1 (docs/SECURITY.md, "Safe production defaults").

const repoRoot = path.resolve(import.meta.dirname, '../..');
const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'web-config-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function build(mode: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITE_')));
  return spawnSync(process.execPath, [vite, 'build', '--mode', mode, '--outDir', outDir, '--emptyOutDir'], {
    cwd: path.join(repoRoot, 'hosting'),
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

describe('web build configuration', () => {
  it('refuses a production build without VITE_FIREBASE_* and names what is missing', () => {
    const run = build('production');
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(
      'A production build needs the Firebase web config: set VITE_FIREBASE_PROJECT_ID, VITE_FIREBASE_API_KEY, VITE_FIREBASE_APP_ID',
    );
  });

  it('builds for production with the web config, with no emulator in its runtime config', () => {
    const run = build('production', {
      VITE_FIREBASE_PROJECT_ID: 'acme-iot',
      VITE_FIREBASE_API_KEY: 'AIza-public-web-key',
      VITE_FIREBASE_APP_ID: '1:2:web:3',
    });
    expect({ status: run.status, stderr: run.stderr.slice(-500) }).toMatchObject({ status: 0 });
    const script = readFileSync(path.join(outDir, 'app-config.js'), 'utf8');
    expect(script).toContain('"projectId":"acme-iot"');
    expect(script).not.toMatch(/127\.0\.0\.1|emulators/);
  }, 300_000);
});
