import { execFileSync } from 'node:child_process';

/**
 * Whether an optional program (mosquitto, chromium, zbarimg) is installed. On a user's machine a suite or test
 * that needs a missing one is skipped (describe.skipIf / it.skipIf, so the reporter lists it as skipped) with
 * a printed reason; under REQUIRE_PROGRAMS=1 (set by .ci/run) it fails instead, so CI can never go green by
 * skipping.
 */
export function requireProgram(name: string): boolean {
  if (whichProgram(name) !== null) return true;
  return skipOrFail(`"${name}" is not installed (apt-get install ${debianPackage(name)})`);
}

/** The Debian package that provides a program, for the install hint. */
export function debianPackage(program: string): string {
  return DEBIAN_PACKAGES[program] ?? program;
}

const DEBIAN_PACKAGES: Record<string, string> = { zbarimg: 'zbar-tools' };

/** Prints why something is skipped and returns false; under REQUIRE_PROGRAMS=1 throws instead. */
export function skipOrFail(reason: string): false {
  if (process.env.REQUIRE_PROGRAMS === '1')
    throw new Error(`${reason}, and REQUIRE_PROGRAMS=1 forbids skipping`);
  console.warn(`SKIP: ${reason}; what needs it is skipped.`);
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
