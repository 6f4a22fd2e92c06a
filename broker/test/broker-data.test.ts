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

  it('pins an older file: each device to its serial, the bridge to its own id, extra bridge instances added', () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-data-'));
    try {
      const first = ensureBrokerData(dir);
      const config = JSON.parse(readFileSync(first.dynsecFile, 'utf8'));
      for (const client of config.clients) delete client.clientid;
      config.clients.push({ username: 'SNOLD0001', roles: [{ rolename: 'device:SNOLD0001' }] });
      writeFileSync(first.dynsecFile, JSON.stringify(config));
      const second = ensureBrokerData(dir, {}, { bridgeInstances: 2 });
      expect(second.credentials.bridge.clientId).toBe('bridge');
      const upgraded = JSON.parse(readFileSync(second.dynsecFile, 'utf8'));
      const pin = (username: string) =>
        upgraded.clients.find((c: { username: string }) => c.username === username)?.clientid;
      expect(pin('SNOLD0001')).toBe('SNOLD0001');
      expect(pin('bridge')).toBe('bridge');
      expect(pin('bridge-2')).toBe('bridge-2');
      expect(pin('admin')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
