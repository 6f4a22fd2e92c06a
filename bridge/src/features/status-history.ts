import { firestorePaths } from '@esp32cloud/protocol';
import { Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { bridgeLogs } from '../logs.ts';

// Presence history for the support timeline (docs/SUPPORT.md): each online/offline change of a device becomes
// one devices/{id}/status_changes document. Only changes are written (the offline detection and a device's
// first message emit presenceChanged), so a steady device costs nothing.

export function statusHistory(ctx: BridgeContext): BridgeFeature {
  return {
    start() {
      ctx.events.on('presenceChanged', (entry, online, previous, now) => {
        if (previous === online) return; // a last will for a device already marked offline
        ctx.enqueue(entry.serial, async () => {
          ctx.stats.writes++;
          await ctx.db
            .collection(firestorePaths.statusChanges(entry.deviceId))
            .add({
              online,
              previous,
              serial_number: entry.serial,
              at: Timestamp.fromMillis(now),
            })
            .catch((error: unknown) => bridgeLogs.statusHistoryFailed(entry.deviceId, String(error)));
        });
      });
    },
  };
}
