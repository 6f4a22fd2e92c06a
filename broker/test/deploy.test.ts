import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// deploy/compose.yaml is not run here (no Docker); this keeps it pointing at files that exist and at the
// brief's ports, with no password written into it.

const repo = new URL('../../', import.meta.url);
const compose = readFileSync(new URL('deploy/compose.yaml', repo), 'utf8');

describe('deploy/compose.yaml', () => {
  it('runs mosquitto 2 on the brief ports with the committed config, and the bridge', () => {
    expect(compose).toContain('image: eclipse-mosquitto:2');
    expect(compose).toContain('"1883:1883"');
    expect(compose).toContain('"8083:8083"');
    expect(compose).toMatch(/\n {2}bridge:\n/);
    for (const match of compose.matchAll(/\.\.\/([\w./-]+):\/mosquitto/g)) {
      expect(existsSync(new URL(match[1], repo)), match[1]).toBe(true);
    }
    for (const match of compose.matchAll(/dockerfile: ([\w./-]+)/g)) {
      expect(existsSync(new URL(match[1], repo)), match[1]).toBe(true);
    }
  });

  it('takes every secret from the environment or a secret file', () => {
    for (const match of compose.matchAll(/PASSWORD: (.+)/g)) expect(match[1]).toMatch(/^\$\{[A-Z_]+:\?/);
  });
});
