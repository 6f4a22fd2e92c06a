import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';

// The Functions emulator runs the built bundle (functions/lib), so every test run builds it once, before any
// suite starts an emulator: a suite never tests stale functions, and no emulator sees the bundle change mid-run.
export default function buildFunctionsOnce(): void {
  const result = spawnSync(process.execPath, ['build.mjs'], {
    cwd: path.join(repoRoot, 'functions'),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`functions build failed:\n${result.stderr}`);
}
