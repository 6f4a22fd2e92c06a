import {
  type ClaimWindowFields,
  claimSerialLimitKey,
  firestorePaths,
  type ResetPayload,
} from '@esp32cloud/protocol';
import { Timestamp } from 'firebase-admin/firestore';
import type { BridgeContext, BridgeFeature } from '../context.ts';
import { bridgeLogs } from '../logs.ts';

// Factory reset by the button (docs/DEVICE_PROTOCOL.md, "Reset"): the device reports it with its own broker
// credentials, which only the unit itself holds, so the report proves someone has the unit in hand. The
// printed label then claims the unit for claimResetWindowSeconds (docs/REGISTRY.md): the person holding it
// claims it, and whoever owns it now keeps it until that claim. The serial's wrong-code counter is cleared,
// so strangers' guesses before the reset cannot stand in the holder's way. A repeated reset_id (QoS 1
// redelivery) changes nothing.

export function factoryReset(ctx: BridgeContext): BridgeFeature {
  return {
    handles: {
      async reset({ entry, envelope, now }) {
        const report = envelope as ResetPayload;
        entry.lastHeardAt = now;
        const { db } = ctx;
        const secretRef = db.doc(firestorePaths.deviceSecret(entry.deviceId));
        const deviceRef = db.doc(firestorePaths.device(entry.deviceId));
        const opened = await db.runTransaction(async (tx) => {
          const [deviceSnap, secretSnap] = await tx.getAll(deviceRef, secretRef);
          if (!deviceSnap.exists || !secretSnap.exists) return 'unknown' as const;
          const claim = secretSnap.data() as ClaimWindowFields;
          if (claim.last_reset_id === report.reset_id) return 'repeated' as const;
          const status = (deviceSnap.data() as { status?: string }).status;
          // A unit nobody has claimed since the factory or a reissued code stays open without a deadline.
          const alreadyOpen =
            status === 'available' &&
            claim.claim_open !== false &&
            (claim.claim_open_until_ms ?? null) === null;
          const update: ClaimWindowFields & { updated_at: Timestamp } = {
            last_reset_id: report.reset_id,
            updated_at: Timestamp.fromMillis(now),
            ...(alreadyOpen
              ? {}
              : {
                  claim_open: true,
                  claim_opened_by: 'reset',
                  claim_open_until_ms: Date.now() + ctx.config.claimResetWindowSeconds * 1000,
                }),
          };
          tx.set(secretRef, update, { merge: true });
          tx.update(deviceRef, { last_factory_reset_at: Timestamp.fromMillis(now) });
          tx.delete(db.doc(firestorePaths.rateLimit(claimSerialLimitKey(entry.serial))));
          return 'opened' as const;
        });
        ctx.stats.writes++;
        bridgeLogs.factoryReset(entry.deviceId, opened);
        return undefined;
      },
    },
  };
}
