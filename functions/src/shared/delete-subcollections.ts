import type { DeviceSubcollection } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { refs } from './documents.ts';

// Deletes a device's history subcollections page by page (a batch stays far below Firestore's 500 writes).
// Bounded, so a device still writing history cannot keep the request busy forever.

const PAGE = 300;
const MAX_PAGES = 1000;

export async function deleteDeviceSubcollections(
  db: Firestore,
  deviceId: string,
  names: readonly DeviceSubcollection[],
): Promise<void> {
  for (const name of names) {
    const collection = refs(db).subcollection(deviceId, name);
    for (let page = 0; page < MAX_PAGES; page++) {
      const docs = await collection.limit(PAGE).get();
      if (docs.empty) break;
      const batch = db.batch();
      for (const doc of docs.docs) batch.delete(doc.ref);
      await batch.commit();
    }
  }
}
