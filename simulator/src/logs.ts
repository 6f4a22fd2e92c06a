// Log lines of the simulator (one JSON object per line on stderr). Never a password.

function line(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  if (process.env.SIMULATOR_LOG === 'silent') return;
  process.stderr.write(`${JSON.stringify({ level, component: 'simulator', message, ...fields })}\n`);
}

export const simulatorLogs = {
  connected(serial: string): void {
    line('info', 'device connected', { serial });
  },
  connectionLost(serial: string, retryInMs: number, reason: string): void {
    line('warn', 'device connection lost', { serial, retryInMs, reason });
  },
  commandRejected(serial: string, id: string | undefined, reason: string): void {
    line('warn', 'command rejected', { serial, id, reason });
  },
  commandApplied(serial: string, id: string, command: string): void {
    if (process.env.SIMULATOR_LOG === 'verbose') line('info', 'command applied', { serial, id, command });
  },
  factoryReset(serial: string): void {
    line('info', 'device factory reset', { serial });
  },
  fleetStarted(count: number, broker: string): void {
    line('info', 'simulated fleet started', { count, broker });
  },
  fileSkipped(file: string, reason: string): void {
    line('warn', 'provisioning file skipped', { file, reason });
  },
};
