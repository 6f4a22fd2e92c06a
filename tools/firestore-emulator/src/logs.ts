// Every log line the emulator prints, as structured JSON on stderr (quiet mode prints nothing).

export interface Logger {
  started(url: string, projectId: string, millis: number): void;
  imported(directory: string, documents: number): void;
  exported(directory: string, documents: number): void;
  rulesLoaded(projectId: string, source: string): void;
  rulesRejected(projectId: string, message: string): void;
  rpcFailed(method: string, code: number, message: string): void;
  triggerRegistered(projectId: string, key: string): void;
  triggerFailed(key: string, message: string): void;
  stopped(): void;
}

export function createLogger(quiet: boolean): Logger {
  const line = (event: string, fields: Record<string, unknown>) => {
    if (!quiet)
      process.stderr.write(JSON.stringify({ component: 'firestore-emulator', event, ...fields }) + '\n');
  };
  return {
    started: (url, projectId, millis) => line('started', { url, projectId, startupMs: millis }),
    imported: (directory, documents) => line('imported', { directory, documents }),
    exported: (directory, documents) => line('exported', { directory, documents }),
    rulesLoaded: (projectId, source) => line('rules_loaded', { projectId, source }),
    rulesRejected: (projectId, message) => line('rules_rejected', { projectId, message }),
    rpcFailed: (method, code, message) => line('rpc_failed', { method, code, message }),
    triggerRegistered: (projectId, key) => line('trigger_registered', { projectId, key }),
    triggerFailed: (key, message) => line('trigger_delivery_failed', { key, message }),
    stopped: () => line('stopped', {}),
  };
}
