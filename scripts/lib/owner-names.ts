import { COLLECTIONS, firestorePaths } from '@esp32cloud/protocol';
import { FieldPath, type Firestore } from 'firebase-admin/firestore';

// The one-off backfill of `devices.owner_device_name` (docs/DATA_MODEL.md) for devices claimed before the
// functions wrote it: the copy of the owner's link's `device_name`. Until every owned device has it, the
// dashboard of that account also listens to its owner links (docs/SCALING.md). Each page of links is read and
// written in one transaction, so a rename at the same moment is either seen or retried, never overwritten.

const PAGE = 200;

export interface BackfillResult {
  /** Owner links read. */
  links: number;
  /** Devices given their owner's name. */
  updated: number;
}

export async function backfillOwnerNames(db: Firestore): Promise<BackfillResult> {
  const result: BackfillResult = { links: 0, updated: 0 };
  let after: string | null = null;
  for (;;) {
    let page = db
      .collection(COLLECTIONS.userDevices)
      .where('access_level', '==', 'owner')
      .orderBy(FieldPath.documentId())
      .limit(PAGE);
    if (after) page = page.startAfter(after);
    const links = await page.get();
    if (links.empty) return result;
    after = links.docs.at(-1)!.id;
    result.links += links.size;
    result.updated += await db.runTransaction(async (tx) => {
      const fresh = await tx.getAll(...links.docs.map((link) => link.ref));
      const owned = fresh.filter((link) => link.exists && typeof link.get('device_id') === 'string');
      if (owned.length === 0) return 0;
      const devices = await tx.getAll(
        ...owned.map((link) => db.doc(firestorePaths.device(link.get('device_id') as string))),
      );
      let updated = 0;
      devices.forEach((device, i) => {
        const link = owned[i]!;
        const name = link.get('device_name');
        if (!device.exists || device.get('owner_uid') !== link.get('user_id')) return;
        if (typeof name !== 'string' || device.get('owner_device_name') === name) return;
        tx.update(device.ref, { owner_device_name: name });
        updated += 1;
      });
      return updated;
    });
  }
}
