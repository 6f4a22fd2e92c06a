import { type ReleaseResponse, randomClaimCode, setupUrl } from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { deleteDeviceSubcollections } from '../shared/delete-subcollections.ts';
import {
  DEVICE_SUBCOLLECTIONS,
  type DeviceConfigDoc,
  type DeviceDoc,
  defaultConfig,
  refs,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { hashClaimCode } from '../shared/secrets.ts';
import { writeClaimCode } from './claim-codes.ts';

// Giving a device up (the factory-reset story, docs/REGISTRY.md): the owner releases it, every user link goes,
// its config and desired state return to defaults, its command and usage history is deleted, and a new claim
// code replaces the printed one, so the previous owner (or anyone who saw the old label) cannot claim it back.

export interface ReleaseSettings {
  pepper: string;
  appUrl: string;
  deviceBrokerUrl: string;
}

/** Subcollections that hold a previous owner's history. */
const HISTORY = [DEVICE_SUBCOLLECTIONS.commands, DEVICE_SUBCOLLECTIONS.usage];

export async function releaseDevice(
  db: Firestore,
  settings: ReleaseSettings,
  deviceId: string,
  actingUid: string,
  actingAsOperator: boolean,
): Promise<ReleaseResponse> {
  const r = refs(db);
  const claimCode = randomClaimCode();
  const claimCodeHash = await hashClaimCode(claimCode, settings.pepper);
  const device = await db.runTransaction(async (tx) => {
    const [deviceSnap, configSnap] = await tx.getAll(r.device(deviceId), r.config(deviceId));
    if (!deviceSnap.exists)
      throw new RegistryError(404, 'not_found', `No device ${deviceId} in your account.`);
    const current = deviceSnap.data() as DeviceDoc;
    if (current.owner_uid !== actingUid && !actingAsOperator) {
      throw new RegistryError(403, 'permission_denied', 'Only the owner can release this device.');
    }
    const links = await tx.get(r.linksOf(deviceId));
    const now = Timestamp.now();
    for (const link of links.docs) tx.delete(link.ref);
    tx.update(r.device(deviceId), {
      status: 'available',
      owner_uid: null,
      registered_at: null,
      desired: null,
    });
    // Defaults again, but the broker URL stays the one the unit was provisioned (and flashed) with.
    const brokerUrl =
      (configSnap.data() as DeviceConfigDoc | undefined)?.mqtt_broker_url ?? settings.deviceBrokerUrl;
    tx.set(r.config(deviceId), defaultConfig(deviceId, brokerUrl, now));
    writeClaimCode(tx, db, { deviceId, serial: current.serial_number }, claimCodeHash, now);
    return current;
  });
  await deleteDeviceSubcollections(db, deviceId, HISTORY);
  return {
    device_id: deviceId,
    serial_number: device.serial_number,
    status: 'available',
    released: true,
    claim_code: claimCode,
    setup_url: setupUrl(settings.appUrl, {
      serial: device.serial_number,
      claimCode,
      type: device.device_type,
    }),
  };
}

/** Removes only the caller's own link (a controller or viewer leaving a shared device). */
export async function leaveDevice(db: Firestore, uid: string, deviceId: string): Promise<void> {
  const r = refs(db);
  await db.runTransaction(async (tx) => {
    const link = await tx.get(r.link(uid, deviceId));
    if (!link.exists) throw new RegistryError(404, 'not_found', `No device ${deviceId} in your account.`);
    if ((link.data() as UserDeviceDoc).access_level === 'owner') {
      throw new RegistryError(
        409,
        'failed_precondition',
        'The owner releases a device rather than leaving it.',
      );
    }
    tx.delete(link.ref);
  });
}

/** A fresh claim code for an unclaimed device (operator support: lost or damaged label). */
export async function reissueClaimCode(
  db: Firestore,
  settings: ReleaseSettings,
  deviceId: string,
): Promise<{ device: DeviceDoc; claimCode: string }> {
  const r = refs(db);
  const claimCode = randomClaimCode();
  const claimCodeHash = await hashClaimCode(claimCode, settings.pepper);
  const device = await db.runTransaction(async (tx) => {
    const deviceSnap = await tx.get(r.device(deviceId));
    if (!deviceSnap.exists) throw new RegistryError(404, 'not_found', `No device ${deviceId}.`);
    const current = deviceSnap.data() as DeviceDoc;
    if (current.status !== 'available') {
      throw new RegistryError(409, 'already_claimed', 'Release the device from its owner first.');
    }
    writeClaimCode(tx, db, { deviceId, serial: current.serial_number }, claimCodeHash, Timestamp.now());
    return current;
  });
  return { device, claimCode };
}
