import { evalError } from './errors.ts';

// string.matches/replace/split take RE2 expressions. JavaScript's RegExp accepts the common subset; the few
// RE2 spellings it lacks are translated here. Compiled expressions are cached because rules reuse literals.

const cache = new Map<string, RegExp>();

export function compileRe2(pattern: string, mode: 'full' | 'global'): RegExp {
  const key = mode + '\u0000' + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  let source = pattern;
  let flags = mode === 'global' ? 'g' : '';
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
  if (mode === 'full') source = `^(?:${source})$`;
  let re: RegExp;
  try {
    re = new RegExp(source, flags + 'u');
  } catch {
    try {
      re = new RegExp(source, flags);
    } catch (e) {
      throw evalError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

/** RE2 replacement strings name groups as \1; JavaScript uses $1. */
export function re2Replacement(sub: string): string {
  return sub.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}
