import { firestorePaths, type LogPayload } from '@esp32cloud/protocol';
import { Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import type { DeviceEntry } from '../device-directory.ts';
import { bridgeLogs } from '../logs.ts';

// Device logs: each line becomes a devices/{id}/logs document, at most logsPerDevicePerMinute per device;
// the rest are counted (droppedBy.throttled) and the throttling is logged once per minute.

export function deviceLogs(ctx: BridgeContext): BridgeFeature {
  const windows = new WeakMap<DeviceEntry, { start: number; count: number; warned: boolean }>();
  return {
    handles: {
      async logs({ entry, envelope, now }) {
        const log = envelope as LogPayload;
        entry.lastHeardAt = now;
        const window = windows.get(entry) ?? { start: now, count: 0, warned: false };
        if (now - window.start >= 60_000) Object.assign(window, { start: now, count: 0, warned: false });
        window.count++;
        windows.set(entry, window);
        if (window.count > ctx.config.logsPerDevicePerMinute) {
          if (!window.warned) bridgeLogs.logsThrottled(entry.deviceId);
          window.warned = true;
          ctx.stats.droppedBy.throttled = (ctx.stats.droppedBy.throttled ?? 0) + 1;
          return undefined;
        }
        ctx.stats.writes++;
        await ctx.db.collection(firestorePaths.logs(entry.deviceId)).add({
          serial_number: entry.serial,
          level: log.level,
          message: log.message,
          fields: log.fields ?? null,
          device_ts: log.ts ?? null,
          received_at: Timestamp.fromMillis(now),
        });
        return undefined;
      },
    },
  };
}
