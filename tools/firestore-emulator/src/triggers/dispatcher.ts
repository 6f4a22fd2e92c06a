import http from 'node:http';
import { z } from 'zod';
import type { Databases } from '../service/databases.ts';
import type { CommitOrigin, DocumentChange } from '../store.ts';
import { firestoreCloudEvent } from './cloud-event.ts';
import { type DocumentPattern, matchesPattern, parsePattern } from './pattern.ts';

// Cloud Functions (v2) Firestore triggers, the emulator side of firebase-tools' protocol. The Functions
// emulator registers each trigger with POST /emulator/v1/projects/{p}/eventarcTrigger?eventarcTriggerId={key}
// and a body {eventType, database, namespace, document: {value, matchType}}; on every commit the emulator
// POSTs one CloudEvent per matching trigger and changed document to
// http://{functions emulator}/functions/projects/{p}/triggers/{key}. Events leave in commit order: each trigger
// has one queue, and the next event is sent when the Functions emulator has answered the previous one.

export const EVENT_TYPES = ['written', 'created', 'updated', 'deleted'] as const;
const PREFIX = 'google.cloud.firestore.document.v1.';

export const triggerRegistrationSchema = z.object({
  eventType: z
    .string()
    .refine(
      (t) => EVENT_TYPES.some((e) => t === `${PREFIX}${e}` || t === `${PREFIX}${e}.withAuthContext`),
      'not a Firestore document event type',
    ),
  database: z.string().min(1).default('(default)'),
  namespace: z.string().min(1).default('(default)'),
  document: z.object({ value: z.string().min(1), matchType: z.enum(['EXACT', 'PATH_PATTERN']) }),
});

interface Trigger {
  key: string;
  projectId: string;
  eventType: string;
  kind: (typeof EVENT_TYPES)[number];
  databaseId: string;
  namespace: string;
  pattern: DocumentPattern;
  /** The tail of this trigger's delivery queue. */
  queue: Promise<void>;
}

export interface DeliveryRecord {
  key: string;
  path: string;
  eventType: string;
  /** Milliseconds from the commit to the Functions emulator's answer. */
  ms: number;
  status: number;
}

export class TriggerDispatcher {
  private readonly triggers = new Map<string, Trigger>();
  private readonly subscribed = new Set<string>();
  /** host:port of the Functions emulator (Google's emulator takes it as --functions_emulator). */
  functionsEmulator: string | null = null;
  /** Called after each delivery (benchmarks, logs). */
  onDelivered?: (record: DeliveryRecord) => void;
  onFailed?: (key: string, message: string) => void;

  constructor(private readonly databases: Databases) {}

  register(projectId: string, key: string, body: unknown): void {
    const parsed = triggerRegistrationSchema.parse(body);
    const kind = EVENT_TYPES.find((e) => parsed.eventType.startsWith(`${PREFIX}${e}`))!;
    const previous = this.triggers.get(`${projectId}/${key}`);
    this.triggers.set(`${projectId}/${key}`, {
      key,
      projectId,
      eventType: parsed.eventType,
      kind,
      databaseId: parsed.database,
      namespace: parsed.namespace,
      pattern: parsePattern(parsed.document.value, parsed.document.matchType),
      queue: previous?.queue ?? Promise.resolve(),
    });
    this.subscribe(projectId, parsed.database);
  }

  clear(projectId: string): void {
    for (const id of [...this.triggers.keys()]) if (id.startsWith(`${projectId}/`)) this.triggers.delete(id);
  }

  list(): { key: string; projectId: string; eventType: string; document: string }[] {
    return [...this.triggers.values()].map((t) => ({
      key: t.key,
      projectId: t.projectId,
      eventType: t.eventType,
      document: t.pattern.segments.join('/'),
    }));
  }

  /** Resolves when every event queued so far has been delivered (tests, benchmarks). */
  async idle(): Promise<void> {
    await Promise.all([...this.triggers.values()].map((t) => t.queue));
  }

  private subscribe(projectId: string, databaseId: string): void {
    const id = `${projectId}/${databaseId}`;
    if (this.subscribed.has(id)) return;
    this.subscribed.add(id);
    this.databases
      .get(projectId, databaseId)
      .onCommit((changes, micros, origin) => this.onCommit(projectId, databaseId, changes, micros, origin));
  }

  private onCommit(
    projectId: string,
    databaseId: string,
    changes: DocumentChange[],
    micros: bigint,
    origin: CommitOrigin,
  ): void {
    if (origin.cleared) return;
    const committedAt = performance.now();
    for (const trigger of this.triggers.values()) {
      if (trigger.projectId !== projectId || trigger.databaseId !== databaseId) continue;
      for (const change of changes) {
        if (!fires(trigger.kind, change) || !matchesPattern(trigger.pattern, change.path)) continue;
        const event = firestoreCloudEvent({
          eventType: trigger.eventType,
          projectId,
          databaseId,
          namespace: trigger.namespace,
          path: change.path,
          before: change.before,
          after: change.after,
          commitMicros: micros,
          auth: origin.uid
            ? { type: 'app_user', id: origin.uid }
            : origin.admin
              ? { type: 'system', id: null }
              : { type: 'unauthenticated', id: null },
        });
        trigger.queue = trigger.queue.then(() =>
          this.deliver(trigger, change.path, event.headers, event.body, committedAt),
        );
      }
    }
  }

  private async deliver(
    trigger: Trigger,
    path: string,
    headers: Record<string, string>,
    body: string,
    committedAt: number,
  ): Promise<void> {
    const target = this.functionsEmulator;
    if (!target) {
      this.onFailed?.(trigger.key, 'no Functions emulator is known (start with functionsEmulator host:port)');
      return;
    }
    try {
      const status = await post(
        target,
        `/functions/projects/${trigger.projectId}/triggers/${trigger.key}`,
        headers,
        body,
      );
      this.onDelivered?.({
        key: trigger.key,
        path,
        eventType: trigger.eventType,
        ms: performance.now() - committedAt,
        status,
      });
    } catch (error) {
      this.onFailed?.(trigger.key, (error as Error).message);
    }
  }
}

function fires(kind: Trigger['kind'], change: DocumentChange): boolean {
  switch (kind) {
    case 'written':
      return true;
    case 'created':
      return change.before === null && change.after !== null;
    case 'updated':
      return change.before !== null && change.after !== null;
    case 'deleted':
      return change.before !== null && change.after === null;
  }
}

function post(
  hostAndPort: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  const url = new URL(`http://${hostAndPort}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.setTimeout(60_000, () =>
      request.destroy(new Error('the Functions emulator did not answer in 60 s')),
    );
    request.on('error', reject);
    request.end(body);
  });
}
