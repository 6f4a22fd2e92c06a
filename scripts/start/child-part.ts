import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../lib/firebase-emulators.ts';
import type { PartRun } from './supervisor.ts';

// A part of `npm start` that runs as a Node process of its own (the ingest bridge, the simulated fleet), so
// it can die, be killed and be restarted on its own like in production. Its log lines go to this process's
// stderr unchanged; it counts as started once a line matches `ready`.

export interface ChildPartOptions {
  /** Script path from the repository root, run with tsx. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  ready: RegExp;
  readyTimeoutMs?: number;
  /** Keep its log lines to itself (read only for the ready line): the soak's and the tests' parts. */
  quiet?: boolean;
}

// tsx as a loader in the one Node process (not its CLI, which runs the script in a second process that a kill
// of the first would leave behind, still connected).
export const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

export function startChildPart(options: ChildPartOptions): Promise<PartRun> {
  const child = spawn(process.execPath, ['--import', tsxLoader, options.script, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let seen = '';
    let ready = false;
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${options.script} was not ready within ${options.readyTimeoutMs ?? 90_000} ms:\n${seen}`),
      );
    }, options.readyTimeoutMs ?? 90_000);
    const forward = (chunk: Buffer) => {
      // A closed stderr (the terminal gone) must not take this process down; start.ts notices and stops.
      if (!options.quiet && !process.stderr.destroyed) process.stderr.write(chunk);
      if (ready) return;
      seen = (seen + chunk.toString()).slice(-4000);
      if (options.ready.test(seen)) {
        ready = true;
        clearTimeout(timer);
        resolve({ pid: child.pid ?? 0, exited, stop });
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    void exited.then((reason) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${options.script} ended before it was ready (${reason}):\n${seen}`));
    });
  });
}
