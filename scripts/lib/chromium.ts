import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

// The one way this repository starts a browser: the system's headless Chromium through playwright-core (never
// a downloaded one), with the same flags for scripts (the label-sheet PDF), tests and benchmarks.
// CHROMIUM_PATH overrides the default /usr/bin/chromium.

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** The Chromium binary to launch, or null when it is not installed. */
export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

/** Starts headless Chromium; `extraArgs` (e.g. a fake camera) come before the standard flags. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error('Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)');
  return chromium.launch({ executablePath, args: [...extraArgs, ...CHROMIUM_FLAGS] });
}
