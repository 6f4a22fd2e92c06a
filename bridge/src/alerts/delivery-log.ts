import { firestorePaths } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';

// A webhook endpoint's delivery log (webhooks/{id}/deliveries) keeps its newest entries only: an endpoint
// that receives events for years must not grow a log without bound. The web app shows the newest 50.

/**
 * Deletes the oldest entries beyond `keep`. One count aggregation per call (one read per 1,000 entries);
 * deletes only when over the cap.
 */
export async function trimDeliveryLog(db: Firestore, webhookId: string, keep: number): Promise<number> {
  const log = db.collection(firestorePaths.webhookDeliveries(webhookId));
  const total = (await log.count().get()).data().count;
  const excess = total - keep;
  if (excess <= 0) return 0;
  const oldest = await log.orderBy('at', 'asc').limit(Math.min(excess, 500)).get();
  const batch = db.batch();
  for (const doc of oldest.docs) batch.delete(doc.ref);
  await batch.commit();
  return oldest.size;
}
