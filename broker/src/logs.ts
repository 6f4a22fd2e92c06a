// Every log line the broker package writes: one JSON object per line on stderr; never a password.

function line(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  if (process.env.BROKER_LOG === 'silent') return;
  process.stderr.write(`${JSON.stringify({ level, component: 'broker', message, ...fields })}\n`);
}

export const brokerLogs = {
  authRejected(username: string): void {
    line('warn', 'connection refused: bad credentials', { username });
  },
  clientIdRejected(username: string, clientId: string): void {
    line('warn', 'connection refused: client id not the one pinned to this account', { username, clientId });
  },
  publishDenied(username: string, topic: string): void {
    line('warn', 'publish denied by ACL', { username, topic });
  },
  subscribeDenied(username: string, topic: string): void {
    line('warn', 'subscribe denied by ACL', { username, topic });
  },
  authHookRefused(route: string, username: string, topic: string): void {
    line('warn', 'auth hook refused', { route, username, ...(topic ? { topic } : {}) });
  },
  clientError(clientId: string, message: string): void {
    // Routine (dropped sockets, ACL disconnects); useful when debugging a client.
    if (process.env.BROKER_LOG === 'verbose') line('info', 'client error', { clientId, message });
  },
  started(kind: string, url: string, wsUrl: string | null): void {
    line('info', 'broker started', { kind, url, wsUrl });
  },
  mosquittoOutput(text: string): void {
    if (process.env.BROKER_LOG === 'verbose') line('info', 'mosquitto', { text });
  },
  stopped(kind: string): void {
    line('info', 'broker stopped', { kind });
  },
};
