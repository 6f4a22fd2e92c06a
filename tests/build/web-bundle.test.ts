import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/firebase-emulators.ts';

// The app shell builds, and nothing secret can reach a customer's browser: the production bundle is scanned for
// anything that only servers may hold.

const outDir = path.join(os.tmpdir(), `esp32-web-bundle-${process.pid}`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

beforeAll(async () => {
  await build({
    configFile: path.join(repoRoot, 'hosting/vite.config.ts'),
    mode: 'emulators',
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('web app build', () => {
  it('emits the shell, its scripts and the runtime config', () => {
    const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
    expect(html).toContain('<script src="/app-config.js"></script>');
    expect(html).toMatch(/<script[^>]+type="module"[^>]+src="\/assets\/[^"]+\.js"/);
    expect(files(outDir).some((file) => file.endsWith('.js') && file.includes('assets'))).toBe(true);
    const runtime = readFileSync(path.join(outDir, 'app-config.js'), 'utf8');
    expect(runtime).toContain('demo-esp32-cloud');
  });

  it('carries no secret and no server-only code', () => {
    const forbidden = [
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /"private_key"/,
      /client_secret/,
      /CLAIM_CODE_PEPPER/,
      /MQTT_PASSWORD/,
      /claim_code_hash/,
      /firebase-admin/,
      /Bearer owner/,
    ];
    for (const file of files(outDir).filter((f) => /\.(js|html|css|json)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of forbidden)
        expect(pattern.test(text), `${path.basename(file)} matches ${pattern}`).toBe(false);
    }
  });
});
