import { execFileSync } from 'node:child_process';

/** Path of an installed program, or null. */
export function whichProgram(name: string): string | null {
  for (const candidate of [name, `/usr/sbin/${name}`, `/usr/bin/${name}`]) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not this candidate
    }
  }
  return null;
}
