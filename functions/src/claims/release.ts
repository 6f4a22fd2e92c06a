import { claimSerialLimitKey, type ReleaseResponse, randomClaimCode } from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import {
  type DeviceConfigDoc,
  type DeviceDoc,
  type DeviceSecretDoc,
  defaultConfig,
  refs,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { hashClaimCode } from '../shared/secrets.ts';
import { writeClaimCode } from './claim-codes.ts';
import { closedClaim, deleteOwnerHistory } from './ownership.ts';

// Giving a device up (docs/REGISTRY.md, "Giving a device up"): the owner releases it, every user link goes,
// its config and desired state return to defaults, its command and usage history is deleted. No claim code
// is handed to the account that gave it up: the printed label claims the unit again only inside the window a
// factory reset by the button opens, so whoever holds the unit claims it and the previous owner cannot take
// it back remotely.

export interface ReleaseSettings {
  pepper: string;
  appUrl: string;
  deviceBrokerUrl: string;
}

export async function releaseDevice(
  db: Firestore,
  settings: ReleaseSettings,
  deviceId: string,
  actingUid: string,
  actingAsOperator: boolean,
): Promise<ReleaseResponse> {
  const r = refs(db);
  const device = await db.runTransaction(async (tx) => {
    const [deviceSnap, configSnap, secretSnap] = await tx.getAll(
      r.device(deviceId),
      r.config(deviceId),
      r.secret(deviceId),
    );
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
      room: null,
      owner_device_name: null,
    });
    // Defaults again, but the broker URL stays the one the unit was provisioned (and flashed) with.
    const brokerUrl =
      (configSnap.data() as DeviceConfigDoc | undefined)?.mqtt_broker_url ?? settings.deviceBrokerUrl;
    tx.set(r.config(deviceId), defaultConfig(deviceId, brokerUrl, now));
    const secret = (secretSnap.data() ?? {}) as DeviceSecretDoc;
    tx.set(r.secret(deviceId), closedClaim(secret, current.owner_uid, now), { merge: true });
    tx.delete(r.transfer(deviceId));
    return current;
  });
  await deleteOwnerHistory(db, deviceId);
  return {
    device_id: deviceId,
    serial_number: device.serial_number,
    status: 'available',
    released: true,
    next_claim: 'after_factory_reset',
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

/**
 * A fresh claim code for an unclaimed device (operator support: lost or damaged label, or a released unit
 * whose holder support has verified). It opens the label claim without a time limit and clears the serial's
 * wrong-code counter.
 */
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
    writeClaimCode(tx, db, { deviceId, serial: current.serial_number }, claimCodeHash, Timestamp.now(), {
      claim_open: true,
      claim_opened_by: 'reissue',
      claim_open_until_ms: null,
    });
    tx.delete(r.rateLimit(claimSerialLimitKey(current.serial_number)));
    return current;
  });
  return { device, claimCode };
}
