import { isClaimCodeFormat, type RegisterResponse, validateSerial } from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import {
  type DeviceConfigDoc,
  type DeviceDoc,
  type DeviceSecretDoc,
  defaultConfig,
  refs,
  type SerialDoc,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { exhausted, rateLimitKey, record, type Window } from '../shared/rate-limits.ts';
import { verifyClaimCode } from '../shared/secrets.ts';

// Claiming a device: proof of possession (serial + claim code) turns an `available` device into the caller's,
// in one transaction, so two people claiming the same unit at once get exactly one winner.

export interface ClaimSettings {
  pepper: string;
  deviceBrokerUrl: string;
  perUser: Window;
  perSerial: Window;
}

export interface ClaimRequest {
  uid: string;
  serialNumber: string;
  claimCode: string;
  deviceName: string;
}

export interface ClaimResult {
  /** 201 for a new claim; 200 when the caller already owns it (a retried request). */
  status: 201 | 200;
  body: RegisterResponse;
}

const wrongCode = () =>
  new RegistryError(403, 'wrong_claim_code', 'The claim code does not match this device. Check the label.');

export async function claimDevice(
  db: Firestore,
  settings: ClaimSettings,
  request: ClaimRequest,
): Promise<ClaimResult> {
  const check = validateSerial(request.serialNumber);
  if (!check.ok) throw new RegistryError(400, 'invalid_serial', check.message);
  const serial = check.serial;
  const userKey = rateLimitKey('claim-user', request.uid);
  const serialKey = rateLimitKey('claim-serial', serial);
  const [userBlocked, serialBlocked] = await Promise.all([
    exhausted(db, userKey, settings.perUser),
    exhausted(db, serialKey, settings.perSerial),
  ]);
  if (userBlocked || serialBlocked) {
    throw new RegistryError(429, 'resource_exhausted', 'Too many wrong claim codes. Try again later.');
  }

  const r = refs(db);
  const result = await db.runTransaction(async (tx): Promise<ClaimResult | 'wrong_code'> => {
    const serialSnap = await tx.get(r.serial(serial));
    if (!serialSnap.exists)
      throw new RegistryError(404, 'not_found', `No device has serial number ${serial}.`);
    const { device_id: deviceId } = serialSnap.data() as SerialDoc;
    const [deviceSnap, secretSnap, configSnap] = await tx.getAll(
      r.device(deviceId),
      r.secret(deviceId),
      r.config(deviceId),
    );
    if (!deviceSnap.exists || !secretSnap.exists) {
      throw new RegistryError(404, 'not_found', `No device has serial number ${serial}.`);
    }
    const device = deviceSnap.data() as DeviceDoc;
    const secret = secretSnap.data() as DeviceSecretDoc;
    const codeMatches =
      isClaimCodeFormat(request.claimCode) &&
      (await verifyClaimCode(request.claimCode, secret.claim_code_hash, settings.pepper));
    if (device.status !== 'available') {
      if (device.owner_uid === request.uid && codeMatches) {
        const link = await tx.get(r.link(request.uid, deviceId));
        if (link.exists) return { status: 200, body: responseFor(device, link.data() as UserDeviceDoc) };
      }
      throw new RegistryError(409, 'already_claimed', 'This device already belongs to an account.');
    }
    if (!codeMatches) return 'wrong_code';

    const now = Timestamp.now();
    const link: UserDeviceDoc = {
      user_id: request.uid,
      device_id: deviceId,
      device_name: request.deviceName,
      access_level: 'owner',
      added_at: now,
      last_accessed: now,
    };
    tx.update(r.device(deviceId), { status: 'registered', owner_uid: request.uid, registered_at: now });
    tx.set(r.link(request.uid, deviceId), link);
    // Defaults again, but the broker URL stays the one the unit was provisioned (and flashed) with.
    const brokerUrl =
      (configSnap.data() as DeviceConfigDoc | undefined)?.mqtt_broker_url ?? settings.deviceBrokerUrl;
    tx.set(r.config(deviceId), defaultConfig(deviceId, brokerUrl, now));
    return { status: 201, body: responseFor(device, link) };
  });
  if (result === 'wrong_code') {
    // Counted outside the claim transaction so a failed guess never holds the device's documents.
    await Promise.all([record(db, userKey, settings.perUser), record(db, serialKey, settings.perSerial)]);
    throw wrongCode();
  }
  return result;
}

function responseFor(device: DeviceDoc, link: UserDeviceDoc): RegisterResponse {
  return {
    device_id: device.device_id,
    serial_number: device.serial_number,
    device_type: device.device_type,
    device_name: link.device_name,
    access_level: 'owner',
  };
}
