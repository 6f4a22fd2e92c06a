import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';

// The repository stands on its own: no markdown file links to anything outside it (a sibling folder, an
// absolute file path), and every relative link points at a file or folder that exists.

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'lib', '.tmp', 'test-artifacts']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** Link targets in markdown text: inline links and images, reference definitions, autolinks, HTML href/src. */
function linkTargets(markdown: string): string[] {
  // Code is quoted, not linked: paths inside fences or backticks are not links.
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  const inline = /!?\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g;
  for (const match of prose.matchAll(inline)) targets.push(match[1] ?? match[2]);
  for (const match of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(match[1]);
  for (const match of prose.matchAll(/<((?:https?|file):[^>\s]+)>/g)) targets.push(match[1]);
  for (const match of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(match[1]);
  return targets;
}

const isWebOrMail = (target: string) => /^(https?:|mailto:)/i.test(target);
const isAnchorOnly = (target: string) => target.startsWith('#');

/** Why a link from `file` leaves the repository, or null when it stays inside. */
function escapes(file: string, target: string): string | null {
  if (isWebOrMail(target) || isAnchorOnly(target)) return null;
  if (/^file:/i.test(target)) return 'a file:// URL';
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return 'an absolute file path';
  const resolved = path.resolve(path.dirname(file), decodeURI(target.split('#')[0].split('?')[0]));
  return resolved === repoRoot || resolved.startsWith(`${repoRoot}${path.sep}`)
    ? null
    : 'a path outside the repository';
}

describe('markdown links', () => {
  const files = markdownFiles(repoRoot);

  it('finds the documentation', () => {
    const relative = files.map((f) => path.relative(repoRoot, f));
    expect(relative).toContain('README.md');
    expect(relative.filter((f) => f.startsWith('docs/')).length).toBeGreaterThan(0);
  });

  it('recognises every kind of link and what leaves the repository', () => {
    const sample = [
      '[a](docs/A.md) ![b](img/b.png "title") [c](<with space.md>) <https://example.com> `[not](a-link.md)`',
      '[ref]: ../shared/DESIGN.md',
      '<a href="/work/shared/x.md">x</a>',
      '```',
      '[fenced](nowhere.md)',
      '```',
    ].join('\n');
    expect(linkTargets(sample)).toEqual([
      'docs/A.md',
      'img/b.png',
      'with space.md',
      '../shared/DESIGN.md',
      'https://example.com',
      '/work/shared/x.md',
    ]);
    const readme = path.join(repoRoot, 'README.md');
    expect(escapes(readme, '../shared/DESIGN.md')).toBe('a path outside the repository');
    expect(escapes(readme, '/work/shared/DESIGN.md')).toBe('an absolute file path');
    expect(escapes(readme, 'file:///etc/passwd')).toBe('a file:// URL');
    expect(escapes(path.join(repoRoot, 'docs/X.md'), '../README.md#start')).toBeNull();
    expect(escapes(readme, 'https://firebase.google.com/docs')).toBeNull();
  });

  it('no markdown file links outside the repository', () => {
    const leaving: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8'))) {
        const why = escapes(file, target);
        if (why) leaving.push(`${path.relative(repoRoot, file)} → ${target} (${why})`);
      }
    }
    expect(leaving).toEqual([]);
  });

  it('no markdown file names a relative path outside the repository, even in prose or code', () => {
    const named: string[] = [];
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(
        /(?<![\w.])(?:\.\.\/)+[\w.-]+(?:\/[\w.-]+)*/g,
      )) {
        if (escapes(file, match[0])) named.push(`${path.relative(repoRoot, file)} → ${match[0]}`);
      }
    }
    expect(named).toEqual([]);
  });

  it('every repository path the docs quote in backticks exists', () => {
    const roots = readdirSync(repoRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name))
      .map((entry) => entry.name);
    const quoted = new RegExp(`\`((?:${roots.join('|')})/[\\w./-]*)\``, 'g');
    const missing: string[] = [];
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(quoted)) {
        const target = match[1].replace(/:\d+$/, '');
        if (!existsSync(path.join(repoRoot, target)))
          missing.push(`${path.relative(repoRoot, file)} → ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every relative link resolves to an existing file or folder', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8'))) {
        if (isWebOrMail(target) || isAnchorOnly(target) || escapes(file, target)) continue;
        const resolved = path.resolve(path.dirname(file), decodeURI(target.split('#')[0].split('?')[0]));
        if (!existsSync(resolved)) broken.push(`${path.relative(repoRoot, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every #anchor of a link names a heading of the markdown file it points at', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8'))) {
        if (isWebOrMail(target) || escapes(file, target) || !target.includes('#')) continue;
        const [pathPart, anchor] = target.split('#');
        const linked = pathPart ? path.resolve(path.dirname(file), decodeURI(pathPart)) : file;
        if (!linked.endsWith('.md') || !existsSync(linked)) continue;
        if (!headingAnchors(readFileSync(linked, 'utf8')).has(decodeURIComponent(anchor))) {
          broken.push(`${path.relative(repoRoot, file)} → ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const anchors = new Set<string>();
  for (const match of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    anchors.add(
      match[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}
