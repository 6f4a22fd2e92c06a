import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';

// Package boundaries: the production packages (functions, bridge, and the web app) import only production
// code. The simulator, the embedded broker, the test harness, the emulator and the start-up wiring are for
// development; a production package that imports one would ship it (or fail to deploy). Each package may
// name other workspaces only through the exports listed here, and relative imports never leave the package.
// Allowed exports are followed file by file, so what they import is held to the same rule.

const PRODUCTION: Record<string, { dir: string; workspaceImports: string[] }> = {
  functions: {
    dir: 'functions/src',
    workspaceImports: ['@esp32cloud/protocol', '@esp32cloud/broker/admin', '@esp32cloud/webhooks'],
  },
  bridge: { dir: 'bridge/src', workspaceImports: ['@esp32cloud/protocol', '@esp32cloud/webhooks'] },
  hosting: { dir: 'hosting/src', workspaceImports: ['@esp32cloud/protocol', '@esp32cloud/provisioning'] },
};

/** Where the allowed workspace exports live (package.json exports), so their own imports are checked too. */
const EXPORT_FILES: Record<string, string> = {
  '@esp32cloud/protocol': 'packages/protocol/src/index.ts',
  '@esp32cloud/broker/admin': 'broker/src/admin.ts',
  '@esp32cloud/webhooks': 'packages/webhooks/src/index.ts',
  '@esp32cloud/provisioning': 'packages/provisioning/src/index.ts',
};

/** npm packages that only development and tests use. */
const DEVELOPMENT_PACKAGES = [
  'aedes',
  'ws',
  'playwright-core',
  'vitest',
  'vite',
  'tsx',
  'firebase-tools',
  '@firebase/rules-unit-testing',
  'qrcode',
];

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry) && !/\.test\.tsx?$/.test(entry) ? [full] : [];
  });
}

function specifiers(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((match) => match[1]);
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

/** Every import of `pkg` (and of the allowed exports it reaches) that breaks the rule, as readable lines. */
function violations(pkg: string): string[] {
  const { dir, workspaceImports } = PRODUCTION[pkg];
  const problems: string[] = [];
  const queue = sourceFiles(path.join(repoRoot, dir)).map((file) => ({
    file,
    root: path.join(repoRoot, pkg), // the package root: hosting/runtime-config.ts is hosting
  }));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { file, root } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const where = path.relative(repoRoot, file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        const inside = target.startsWith(`${root}${path.sep}`);
        if (!inside)
          problems.push(
            `${where} imports '${specifier}', outside its package (${path.relative(repoRoot, root)})`,
          );
        else if (existsSync(target) && !seen.has(target)) queue.push({ file: target, root });
        continue;
      }
      if (specifier.startsWith('@esp32cloud/')) {
        if (!workspaceImports.includes(specifier)) {
          problems.push(
            `${where} imports '${specifier}': ${pkg} may import only ${workspaceImports.join(', ')} from this repository`,
          );
          continue;
        }
        const exported = path.join(repoRoot, EXPORT_FILES[specifier]);
        if (!seen.has(exported)) queue.push({ file: exported, root: path.dirname(exported) });
        continue;
      }
      if (DEVELOPMENT_PACKAGES.includes(packageName(specifier)))
        problems.push(`${where} imports '${specifier}', a development-only package`);
    }
  }
  return problems;
}

describe('package boundaries', () => {
  for (const pkg of Object.keys(PRODUCTION)) {
    it(`${pkg} imports no development-only code`, () => {
      const problems = violations(pkg);
      expect(
        problems,
        `Production package ${pkg} reaches development code:\n  ${problems.join('\n  ')}`,
      ).toEqual([]);
    });
  }

  it('notices a development import (the check itself works)', () => {
    const found = [
      ...`import { startBroker } from '@esp32cloud/broker';\nimport x from "../../simulator/src/index.ts";`.matchAll(
        SPECIFIER,
      ),
    ].map((m) => m[1]);
    expect(found).toEqual(['@esp32cloud/broker', '../../simulator/src/index.ts']);
  });

  it('every workspace has a scoped name', () => {
    const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    const dirs = root.workspaces.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(path.join(repoRoot, pattern.slice(0, -2))).map(
            (name) => `${pattern.slice(0, -2)}/${name}`,
          )
        : [pattern],
    );
    for (const dir of dirs) {
      const file = path.join(repoRoot, dir, 'package.json');
      if (!existsSync(file)) continue;
      const { name } = JSON.parse(readFileSync(file, 'utf8')) as { name: string };
      expect(name, `${dir}/package.json`).toMatch(/^@esp32cloud\//);
    }
  });
});
