import { type DeviceTopicKind, firestorePaths, usageDayId } from '@esp32cloud/protocol';
import { FieldValue, type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { bridgeLogs } from '../logs.ts';

// Daily usage aggregates, devices/{id}/usage/{yyyy-mm-dd} (UTC): message counts kept in memory and added with
// FieldValue.increment once per flush window, so usage history costs a few writes per device per day instead
// of one per message. Counts from several bridge instances add up.

export type UsageCounter = 'messages' | 'heartbeats' | 'statuses' | 'acks' | 'logs' | 'state_changes';

export interface UsageDoc {
  date: string;
  messages: number;
  heartbeats: number;
  statuses: number;
  acks: number;
  logs: number;
  /** Status or ack messages that changed outputs (e.g. a relay switched). */
  state_changes: number;
  updated_at: Timestamp;
}

export class UsageAggregator {
  private pending = new Map<string, Partial<Record<UsageCounter, number>>>();

  constructor(private readonly db: Firestore) {}

  count(deviceId: string, now: number, counter: UsageCounter, by = 1): void {
    const key = `${deviceId}/${usageDayId(now)}`;
    const entry = this.pending.get(key) ?? {};
    entry[counter] = (entry[counter] ?? 0) + by;
    if (counter !== 'messages' && counter !== 'state_changes') entry.messages = (entry.messages ?? 0) + by;
    this.pending.set(key, entry);
  }

  /** Writes everything counted so far; returns the number of documents written. */
  async flush(): Promise<number> {
    const batch = this.pending;
    this.pending = new Map();
    const entries = [...batch.entries()];
    for (let i = 0; i < entries.length; i += 400) {
      const writes = this.db.batch();
      for (const [key, counts] of entries.slice(i, i + 400)) {
        const [deviceId, date] = key.split('/');
        const fields: Record<string, unknown> = { date, updated_at: Timestamp.now() };
        for (const [name, value] of Object.entries(counts))
          fields[name] = FieldValue.increment(value as number);
        writes.set(this.db.doc(firestorePaths.usageDay(deviceId, date)), fields, { merge: true });
      }
      await writes.commit();
    }
    return entries.length;
  }
}

// A reset report is not usage (and the history it would land in belongs to whoever claims the unit next).
const COUNTER_OF_KIND: Partial<Record<DeviceTopicKind, UsageCounter>> = {
  status: 'statuses',
  heartbeat: 'heartbeats',
  ack: 'acks',
  logs: 'logs',
};

/** Counts every device message by kind (and output changes), and writes the counts every usageFlushMs. */
export function usageCounters(ctx: BridgeContext): BridgeFeature & { flush(): Promise<void> } {
  const usage = new UsageAggregator(ctx.db);
  ctx.events.on('deviceMessage', (entry, kind, now) => {
    const counter = COUNTER_OF_KIND[kind];
    if (counter) usage.count(entry.deviceId, now, counter);
  });
  ctx.events.on('outputsChanged', (entry, now) => usage.count(entry.deviceId, now, 'state_changes'));
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    try {
      ctx.stats.writes += await usage.flush();
    } catch (error) {
      bridgeLogs.writeFailed('usage', error);
    }
  };
  return {
    start() {
      timer = setInterval(() => void flush(), ctx.config.usageFlushMs);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
    },
    flush,
  };
}
