import { execFileSync } from 'node:child_process';

/**
 * Whether an optional program (mosquitto, chromium) is installed. On a user's machine a suite that needs a
 * missing one skips with a printed reason; under REQUIRE_PROGRAMS=1 (set by .ci/run) it fails instead, so CI
 * can never go green by skipping.
 */
export function requireProgram(name: string): boolean {
  const found = whichProgram(name) !== null;
  if (found) return true;
  const reason = `"${name}" is not installed (apt-get install ${name}); its suite is skipped`;
  if (process.env.REQUIRE_PROGRAMS === '1')
    throw new Error(`${reason}, but REQUIRE_PROGRAMS=1 forbids skipping`);
  console.warn(`SKIP: ${reason}.`);
  return false;
}

export function whichProgram(name: string): string | null {
  for (const candidate of [name, `/usr/sbin/${name}`, `/usr/bin/${name}`]) {
    try {
      return execFileSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      // not this candidate
    }
  }
  return null;
}
