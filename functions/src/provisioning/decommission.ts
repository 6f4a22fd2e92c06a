import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { deleteDeviceSubcollections } from '../shared/delete-subcollections.ts';
import { DEVICE_SUBCOLLECTIONS, type DeviceDoc, refs } from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import type { BrokerAdmin } from './broker.ts';

// Taking a unit out of service for good (scrapped, stolen, returned faulty): its broker credentials are
// revoked first (the broker disconnects it at once), then its documents and every user link are deleted. The
// serials/{serial} reservation stays, marked retired, so the serial number is never issued again.

export async function decommissionDevice(
  db: Firestore,
  deviceId: string,
  broker: BrokerAdmin | null,
): Promise<{ serial: string; brokerRevoked: boolean }> {
  const r = refs(db);
  const snap = await r.device(deviceId).get();
  if (!snap.exists) throw new RegistryError(404, 'not_found', `No device ${deviceId}.`);
  const device = snap.data() as DeviceDoc;
  if (broker) await broker.removeDevice(device.serial_number);
  await db.runTransaction(async (tx) => {
    const links = await tx.get(r.linksOf(deviceId));
    for (const link of links.docs) tx.delete(link.ref);
    tx.delete(r.device(deviceId));
    tx.delete(r.config(deviceId));
    tx.delete(r.secret(deviceId));
    tx.set(r.serial(device.serial_number), { retired_at: Timestamp.now() }, { merge: true });
  });
  await deleteDeviceSubcollections(db, deviceId, Object.values(DEVICE_SUBCOLLECTIONS));
  return { serial: device.serial_number, brokerRevoked: broker !== null };
}
