import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencySummary } from '../../scripts/lib/bench-figures.ts';
import { applyDynsecCommand } from '../src/dynsec-commands.ts';
import { deviceRole, ensureBrokerData, startAuthHook } from '../src/index.ts';

// Issue 21's HTTP auth hook latency (`npm run bench -- auth-hook`): what a broker waits for at a device's
// CONNECT (PBKDF2 check, then the cache) and at each publish/subscribe ACL check, over HTTP keep-alive on
// 127.0.0.1, 1,000 devices in the file.

process.env.BROKER_LOG ??= 'silent';
const DEVICES = 1000;
const SAMPLES = 500;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-auth-hook-'));
try {
  const { dynsecFile } = ensureBrokerData(dataDir);
  const { readFileSync, writeFileSync } = await import('node:fs');
  const config = JSON.parse(readFileSync(dynsecFile, 'utf8'));
  const serial = (i: number) => `BENCHH${String(i).padStart(6, '0')}`;
  for (let i = 0; i < DEVICES; i++) {
    applyDynsecCommand(config, { command: 'createRole', ...deviceRole(serial(i)) });
    applyDynsecCommand(config, {
      command: 'createClient',
      username: serial(i),
      password: `pw-${serial(i)}`,
      clientid: serial(i),
      roles: [{ rolename: deviceRole(serial(i)).rolename }],
    });
  }
  writeFileSync(dynsecFile, JSON.stringify(config));
  const hook = await startAuthHook({ dynsecFile, cacheTtlMs: 60_000 });
  const time = async (path: string, body: object) => {
    const started = performance.now();
    const response = await fetch(`${hook.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await response.text();
    return performance.now() - started;
  };
  const first: number[] = [];
  const cached: number[] = [];
  const acl: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const device = { clientid: serial(i), username: serial(i), password: `pw-${serial(i)}` };
    first.push(await time('/mqtt/auth', device));
    cached.push(await time('/mqtt/auth', device));
    acl.push(await time('/mqtt/acl', { ...device, action: 'publish', topic: `devices/${serial(i)}/status` }));
  }
  console.log(`HTTP auth hook, CONNECT check (PBKDF2, first time): ${latencySummary(first)}`);
  console.log(`HTTP auth hook, CONNECT check (cached): ${latencySummary(cached)}`);
  console.log(`HTTP auth hook, publish ACL check (first time per topic): ${latencySummary(acl)}`);
  await hook.stop();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
