import type { RequestContext } from '../context.ts';
import { databaseName, parseDatabaseName } from '../paths.ts';
import { DatabaseStore } from '../store.ts';
import { nextCommitMicros } from '../time.ts';

// Every database the emulator holds, created on first use, one DatabaseStore per projects/{p}/databases/{d}.

export class Databases {
  private readonly stores = new Map<string, DatabaseStore>();

  constructor(private readonly historyRetentionMicros: bigint) {}

  get(projectId: string, databaseId = '(default)'): DatabaseStore {
    const name = databaseName({ projectId, databaseId });
    let db = this.stores.get(name);
    if (!db) {
      db = new DatabaseStore(name, this.historyRetentionMicros);
      this.stores.set(name, db);
    }
    return db;
  }

  /** The database a request names (`projects/{p}/databases/{d}`), or the caller's routing default. */
  forRequest(name: string | undefined, ctx: RequestContext): DatabaseStore {
    if (!name) return this.get(ctx.projectId, ctx.databaseId);
    const parsed = parseDatabaseName(name);
    return this.get(parsed.projectId, parsed.databaseId);
  }

  all(): DatabaseStore[] {
    return [...this.stores.values()];
  }

  clear(projectId: string, databaseId = '(default)'): void {
    this.get(projectId, databaseId).clear(nextCommitMicros());
  }
}
