import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';

// `firebase deploy` uploads functions/ and installs only functions/package.json's dependencies in the cloud, so
// the bundle may import nothing else: workspace packages (@esp32cloud/*) must be inlined.

const functionsDir = path.join(repoRoot, 'functions');
// Built beside the repo's node_modules (so its external imports resolve) but outside functions/, which running
// Functions emulators watch.
const outfile = path.join(repoRoot, '.tmp', `functions-bundle-${process.pid}`, 'index.js');
let bundle: string;

beforeAll(() => {
  const result = spawnSync(process.execPath, ['build.mjs', '--outfile', outfile], {
    cwd: functionsDir,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  bundle = readFileSync(outfile, 'utf8');
});

afterAll(() => rmSync(path.dirname(outfile), { recursive: true, force: true }));

function importedPackages(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(/\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]);
  return new Set(
    specifiers
      .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])),
  );
}

describe('functions deploy bundle', () => {
  it('imports only registry dependencies declared in functions/package.json (and Node built-ins)', async () => {
    const { builtinModules } = await import('node:module');
    const pkg = JSON.parse(readFileSync(path.join(functionsDir, 'package.json'), 'utf8'));
    const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...builtinModules]);
    const undeclared = [...importedPackages(bundle)].filter((name) => !allowed.has(name));
    expect(undeclared).toEqual([]);
    expect(bundle).not.toContain('@esp32cloud/');
  });

  it('exports the api function', async () => {
    const { api } = await import(outfile);
    expect(typeof api).toBe('function');
  });
});
