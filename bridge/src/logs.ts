// Every log line the bridge writes: one JSON object per line on stderr. Payload excerpts are truncated and
// never include credentials (devices do not send any).

type Level = 'debug' | 'info' | 'warn' | 'error';

function line(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const mode = process.env.BRIDGE_LOG;
  if (mode === 'silent' || (level === 'debug' && mode !== 'verbose')) return;
  process.stderr.write(`${JSON.stringify({ level, component: 'bridge', message, ...fields })}\n`);
}

export const bridgeLogs = {
  connected(url: string, clientId: string, sessionPresent: boolean): void {
    line('info', 'bridge connected', { url, clientId, sessionPresent });
  },
  connectionLost(reason: string): void {
    line('warn', 'bridge connection lost', { reason });
  },
  messageDropped(topic: string, reason: string): void {
    line('warn', 'message dropped', { topic: topic.slice(0, 200), reason: reason.slice(0, 300) });
  },
  factoryReset(deviceId: string, outcome: 'opened' | 'repeated' | 'unknown'): void {
    line('info', 'device factory reset reported', { deviceId, outcome });
  },
  deviceUnknown(serial: string): void {
    line('warn', 'message from an unknown serial', { serial });
  },
  ackForUnknownCommand(deviceId: string, commandId: string): void {
    line('warn', 'ack for an unknown command', { deviceId, commandId });
  },
  markedOffline(deviceId: string, reason: 'last_will' | 'status' | 'heartbeat_timeout'): void {
    line('info', 'device offline', { deviceId, reason });
  },
  markedOnline(deviceId: string): void {
    line('debug', 'device online', { deviceId });
  },
  writeFailed(deviceId: string, error: unknown): void {
    line('error', 'firestore write failed', {
      deviceId,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  handlerFailed(topic: string, error: unknown): void {
    line('error', 'message handler failed', {
      topic: topic.slice(0, 200),
      error: error instanceof Error ? error.message : String(error),
    });
  },
  commandTimedOut(deviceId: string, commandId: string): void {
    line('warn', 'command timed out', { deviceId, commandId });
  },
  logsThrottled(deviceId: string): void {
    line('warn', 'device logs throttled', { deviceId });
  },
  stopped(): void {
    line('info', 'bridge stopped');
  },
};
