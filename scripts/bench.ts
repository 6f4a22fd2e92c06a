import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/firebase-emulators.ts';

// `npm run bench`: runs every benchmark file (<package>/bench/*.ts) one after another — never in parallel, so
// figures are not skewed by each other — and prints their figures. `npm run bench -- rules` runs those whose path
// contains "rules". A bench that cannot measure (a program such as Chromium or Mosquitto is missing) exits
// non-zero, and so does this run: a figure not measured is never counted as passed.

// Google's client libraries otherwise probe the cloud metadata server (an address off this machine) when no
// credential is configured; local runs never need it.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const filters = process.argv.slice(2);
const skip = new Set(['node_modules', '.git', 'dist', 'lib', '.tmp']);

function findBenchFiles(dir: string, depth: number): string[] {
  if (depth > 3) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (skip.has(entry) || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (!statSync(full).isDirectory()) continue;
    if (entry === 'bench') {
      for (const file of readdirSync(full)) if (file.endsWith('.ts')) found.push(path.join(full, file));
    } else found.push(...findBenchFiles(full, depth + 1));
  }
  return found.sort();
}

const files = findBenchFiles(repoRoot, 0).filter(
  (file) => filters.length === 0 || filters.some((f) => file.includes(f)),
);
const tsx = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
let failed = 0;
for (const file of files) {
  const name = path.relative(repoRoot, file);
  console.log(`\n=== ${name}`);
  const result = spawnSync(process.execPath, [tsx, file], {
    stdio: 'inherit',
    cwd: repoRoot,
    env: process.env,
  });
  if (result.status !== 0) {
    failed += 1;
    console.log(`!!! ${name} exited with ${result.status ?? result.signal}`);
  }
}
console.log(`\n${files.length} benchmark file(s) run, ${failed} failed (their figures were not measured).`);
process.exit(failed > 0 ? 1 : 0);
