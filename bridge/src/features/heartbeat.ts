import type { BridgeContext, BridgeFeature } from '../context.ts';
import type { DeviceEntry } from '../device-directory.ts';
import { markOffline, touchDevice } from '../device-state.ts';

// Presence: a heartbeat keeps a device online (last_seen refreshed once per window), and a sweep marks a
// device offline when it has been silent for heartbeatTimeoutFactor × its update interval, which catches
// a device that hangs with its connection open (no last will is sent then).

export function heartbeat(ctx: BridgeContext): BridgeFeature {
  let sweep: NodeJS.Timeout | undefined;
  return {
    handles: {
      heartbeat({ entry, now }) {
        entry.lastHeardAt = now;
        return touchDevice(ctx, entry, now, {})?.then(() => undefined);
      },
    },
    start() {
      sweep = setInterval(() => {
        for (const entry of ctx.directory.all()) {
          ctx.enqueue(entry.serial, () => markSilentDevicesOffline(ctx, [entry]));
        }
      }, ctx.config.sweepIntervalMs);
      sweep.unref?.();
    },
    stop() {
      clearInterval(sweep);
    },
  };
}

/** Heartbeat timeout: a device silent for factor × its update interval is marked offline. */
export async function markSilentDevicesOffline(ctx: BridgeContext, entries: DeviceEntry[]): Promise<void> {
  const now = ctx.now();
  for (const entry of entries) {
    if (entry.written.online !== true) continue;
    const limit = ctx.config.heartbeatTimeoutFactor * entry.updateIntervalSeconds * ctx.config.msPerSecond;
    if (now - entry.lastHeardAt <= limit) continue;
    await markOffline(ctx, entry, 'heartbeat_timeout');
  }
}
