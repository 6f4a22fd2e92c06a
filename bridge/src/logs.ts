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
  /** Fields a device sent that its type does not allow (unknown keys, values out of range). */
  fieldsDropped(deviceId: string, kind: 'status' | 'ack', fields: string[]): void {
    line('warn', 'device fields dropped', {
      deviceId,
      kind,
      fields: fields.slice(0, 20).map((field) => field.slice(0, 80)),
    });
  },
  /** The device's own error text stays here; the command document gets a code and a fixed message. */
  deviceRefusedCommand(deviceId: string, commandId: string, error: { code: string; message: string }): void {
    line('info', 'device refused a command', {
      deviceId,
      commandId,
      code: error.code.slice(0, 64),
      message: error.message.slice(0, 300),
    });
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
  statusHistoryFailed(deviceId: string, error: string): void {
    line('warn', 'status change not recorded', { deviceId, error });
  },
  logsThrottled(deviceId: string): void {
    line('warn', 'device logs throttled', { deviceId });
  },
  alertFired(ruleId: string, deviceId: string, alertId: string, recipients: number): void {
    line('info', 'alert fired', { ruleId, deviceId, alertId, recipients });
  },
  alertResolved(ruleId: string, deviceId: string, alertId: string): void {
    line('info', 'alert resolved', { ruleId, deviceId, alertId });
  },
  alertEvaluationFailed(ruleId: string, error: unknown): void {
    line('error', 'alert evaluation failed', {
      ruleId,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  alertRulesListenerFailed(error: unknown): void {
    line('error', 'alert listener failed', { error: error instanceof Error ? error.message : String(error) });
  },
  /** Never the address, the webhook URL or its secret. */
  alertDelivered(channel: string, alertId: string, uid: string): void {
    line('info', 'alert delivered', { channel, alertId, uid });
  },
  alertDeliveryFailed(channel: string, alertId: string, reason: string): void {
    line('warn', 'alert delivery failed', { channel, alertId, reason: reason.slice(0, 300) });
  },
  /** A webhook call the customer's plan no longer includes (a downgrade): not sent, settings kept. */
  webhookHeldByPlan(webhookId: string, uid: string, plan: string, event: string): void {
    line('info', 'webhook held by plan', { webhookId, uid, plan, event });
  },
  webhookDisabled(webhookId: string, failures: number): void {
    line('warn', 'webhook disabled after repeated failures', { webhookId, failures });
  },
  /** A Firestore call failed with a transient error and is tried again (the device's queue waits). */
  retrying(attempt: number, delayMs: number, code: number): void {
    line('warn', 'firestore unavailable, retrying', { attempt, delayMs, code });
  },
  retrySucceeded(attempts: number, afterMs: number): void {
    line('info', 'firestore reachable again', { attempts, afterMs });
  },
  sweepFailed(error: unknown): void {
    line('warn', 'stale command sweep failed', { error: String(error).slice(0, 300) });
  },
  /** Subscribed and taking messages (`npm start` waits for this line before it counts the bridge as up). */
  ready(clientId: string): void {
    line('info', 'bridge ready', { clientId });
  },
  stopped(): void {
    line('info', 'bridge stopped');
  },
};
