import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNNING_STACK_FILE, type RunningStackDescription } from '@esp32cloud/tests/harness/stack';

// `npm run provision` beside a running `npm start` needs no flags: the stack description npm start writes
// (owner-only, removed when it stops) names its Firestore, Auth, app URL and its broker's admin account, so
// device credentials are registered with that broker and `npm run simulate -- --from DIR` connects at once.
// Imported first by scripts/provision.ts, before the functions' configuration reads the environment. Anything
// given explicitly (flags, environment) wins; a description left by a stack that is gone is ignored. A stack
// started with ESP32_RUN_DIR (its own run folder) is found with the same variable.

export interface DetectedStack {
  file: string;
  adminUrlSet: boolean;
}

function detect(argv: string[]): DetectedStack | null {
  if (argv.includes('--broker-admin-url') || process.env.BROKER_ADMIN_URL) return null;
  const file = process.env.ESP32_RUN_DIR
    ? path.join(process.env.ESP32_RUN_DIR, path.basename(RUNNING_STACK_FILE))
    : RUNNING_STACK_FILE;
  if (!existsSync(file)) return null;
  let description: RunningStackDescription;
  try {
    description = JSON.parse(readFileSync(file, 'utf8')) as RunningStackDescription;
  } catch {
    return null;
  }
  if (!description.broker || !description.pid || !alive(description.pid)) return null;
  const defaults: Record<string, string | undefined> = {
    ...description.env,
    APP_URL: description.hostingUrl ?? undefined,
    BROKER_ADMIN_URL: description.broker.adminUrl,
    DEVICE_BROKER_URL: description.broker.deviceUrl,
  };
  for (const [name, value] of Object.entries(defaults))
    if (value && !process.env[name]) process.env[name] = value;
  return { file, adminUrlSet: true };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const localStack = detect(process.argv.slice(2));
