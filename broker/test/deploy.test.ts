import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// deploy/compose.yaml is not run here (no Docker); this keeps it pointing at files that exist and at the
// documented ports (docs/DEVICE_PROTOCOL.md), with no password written into it.

const repo = new URL('../../', import.meta.url);
const compose = readFileSync(new URL('deploy/compose.yaml', repo), 'utf8');

describe('deploy/compose.yaml', () => {
  it('publishes only the TLS listeners of the committed config, and runs the bridge beside the broker', () => {
    expect(compose).toContain('image: eclipse-mosquitto:2');
    expect(compose).toContain('"8883:8883"');
    expect(compose).toContain('"443:443"');
    const published = [...compose.matchAll(/- "(\d+):\d+"/g)].map((m) => m[1]);
    expect(published.sort()).toEqual(['443', '8883']);
    expect(compose).toContain('./certs:/mosquitto/certs:ro');
    expect(compose).toContain('network_mode: "service:mosquitto"');
    expect(compose).toContain('MQTT_URL: mqtt://127.0.0.1:1883');
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
