import { readStartConfig } from '../../scripts/start/config.ts';
import { freePort } from './ports.ts';

/**
 * Every port `npm start` listens on, by its environment variable, each set to a free port: a test's `npm start`
 * runs beside a real one. Read from npm start's own settings, so a new listener is covered without an edit.
 */
export async function freeStartPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const setting of Object.values(readStartConfig([]).ports)) ports[setting.env] = await freePort();
  return ports;
}

/** The same as environment variables for the child process. */
export const startPortEnv = (ports: Record<string, number>) =>
  Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]));
