import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBrokerData } from '../src/start.ts';

describe('broker data directory', () => {
  it('keeps devices and credentials across starts but brings service roles up to date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-data-'));
    try {
      const first = ensureBrokerData(dir);
      const config = JSON.parse(readFileSync(first.dynsecFile, 'utf8'));
      // An older file: the bridge role without the control subscription, plus a provisioned device.
      const bridge = config.roles.find((r: { rolename: string }) => r.rolename === 'bridge');
      bridge.acls = bridge.acls.filter((a: { topic: string }) => !a.topic.endsWith('control'));
      config.clients.push({ username: 'DEV1', roles: [{ rolename: 'device:DEV1' }] });
      writeFileSync(first.dynsecFile, JSON.stringify(config));
      const second = ensureBrokerData(dir);
      expect(second.credentials).toEqual(first.credentials);
      const upgraded = JSON.parse(readFileSync(second.dynsecFile, 'utf8'));
      expect(upgraded.clients.map((c: { username: string }) => c.username)).toContain('DEV1');
      const acls = upgraded.roles.find((r: { rolename: string }) => r.rolename === 'bridge').acls;
      expect(acls.some((a: { topic: string }) => a.topic === 'devices/+/control')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
