import {
  type AckPayload,
  type DayCounters,
  type DeviceTopicKind,
  type LogPayload,
  type StatusPayload,
  sanitizeState,
} from '@esp32cloud/protocol';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import type { DeviceEntry } from '../device-directory.ts';
import { DeviceHistory } from '../history/accumulator.ts';
import { writeDay, writeHour } from '../history/store.ts';
import { bridgeLogs } from '../logs.ts';

// Device history (docs/ANALYTICS.md): every device's telemetry is aggregated in memory and written as one
// document per device per UTC hour (devices/{id}/history_hours) when the hour ends, plus one summary per UTC
// day (devices/{id}/history_days, which also holds the daily message counters that used to be
// devices/{id}/usage). So a device costs about 25 history writes a day at any reporting rate. Time comes from
// ctx.now(), so tests drive a simulated day with their own clock.

const COUNTER_OF_KIND: Partial<Record<DeviceTopicKind, keyof DayCounters>> = {
  status: 'statuses',
  heartbeat: 'heartbeats',
  ack: 'acks',
  logs: 'logs',
};

export function deviceHistory(ctx: BridgeContext): BridgeFeature & { flush(): Promise<void> } {
  const devices = new Map<string, DeviceHistory>();
  const pending = new Set<Promise<void>>();

  const track = (work: Promise<void>, what: string) => {
    const guarded = work
      .then(() => {
        ctx.stats.writes++;
      })
      .catch((error) => bridgeLogs.writeFailed(what, error));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };
  const sink = {
    hour: (doc: Parameters<typeof writeHour>[1]) => track(writeHour(ctx.db, doc), `history ${doc.hour}`),
    day: (doc: Parameters<typeof writeDay>[1]) => track(writeDay(ctx.db, doc), `history ${doc.day}`),
  };

  const historyOf = (entry: DeviceEntry, now: number) => {
    let history = devices.get(entry.serial);
    if (!history) {
      history = new DeviceHistory(entry.deviceId, now, sink);
      devices.set(entry.serial, history);
    }
    // After a bridge restart the directory may already know the device is online (no presence event).
    if (history.online === null && entry.written.online === true) history.presence(now, true);
    return history;
  };

  ctx.events.on('deviceMessage', (entry, kind, now) => {
    const counter = COUNTER_OF_KIND[kind];
    if (!counter) return;
    const history = historyOf(entry, now);
    history.count(now, counter);
    history.count(now, 'messages');
  });
  ctx.events.on('presenceChanged', (entry, online, _previous, now) => {
    historyOf(entry, now).presence(now, online);
  });
  ctx.events.on('outputsChanged', (entry, now) => historyOf(entry, now).count(now, 'state_changes'));
  ctx.events.on('commandSent', (serial) => devices.get(serial)?.count(ctx.now(), 'commands'));
  ctx.events.on('messageAccepted', (entry, kind, envelope, now) => {
    const history = historyOf(entry, now);
    if (kind === 'status' || kind === 'ack') {
      const reported =
        kind === 'status' ? (envelope as StatusPayload) : ((envelope as AckPayload).state ?? {});
      if (kind === 'status' && (envelope as StatusPayload).online === false) return;
      const state = sanitizeState(entry.type, reported).value;
      if (state.outputs) history.outputChanges(now, state.outputs);
      if (state.readings) history.readings(now, state.readings);
    } else if (kind === 'logs') {
      const log = envelope as LogPayload;
      if (log.level === 'error') history.errorCode(now, String(log.fields?.code ?? 'unknown'));
    }
  });

  let timer: NodeJS.Timeout | undefined;
  const settle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  return {
    start() {
      // Hours end for quiet devices too: time is moved forward for all of them now and then.
      timer = setInterval(() => {
        const now = ctx.now();
        for (const history of devices.values()) history.advance(now);
      }, ctx.config.historyTickMs);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
    },
    /** Writes every finished hour and day, then the current hour and day so far. */
    async flush() {
      const now = ctx.now();
      for (const history of devices.values()) history.flushPartial(now);
      await settle();
    },
  };
}
