import {
  claimSerialLimitKey,
  isClaimCodeFormat,
  labelClaimOpen,
  REGISTRY_ERRORS,
  type RegisterResponse,
  validateSerial,
} from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { tooManyRequests } from '../http/errors.ts';
import { requireDeviceRoom } from '../plans/enforce.ts';
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
import { rateLimitKey, refund, reserve, type Window } from '../shared/rate-limits.ts';
import { verifyClaimCode } from '../shared/secrets.ts';
import { deleteOwnerHistory, handOver } from './ownership.ts';

// Claiming a device: proof of possession (serial + claim code) makes the device the caller's, in one
// transaction, so two people claiming the same unit at once get exactly one winner. The label works on a new
// unit, after support reissued the code, or inside the window a factory reset by the button opens
// (claim-window.ts); a claim inside a reset window takes the unit from its old owner.
//
// Attempts are counted before the code is checked (reserve(): atomic increments of the counters of the
// account, the client address and the serial, read back), and given back when they were not a wrong code, so
// a burst of parallel guesses gets at most the limit of answers. The serial's counter never blocks the label's holder:
// once a serial has had its limit of wrong codes, only accounts without a wrong code of their own in the
// window may still try it (one try each), so strangers cannot lock the buyer out, and a reset or a reissued
// code clears it (docs/SECURITY.md, "Claims").

export interface ClaimSettings {
  pepper: string;
  deviceBrokerUrl: string;
  perUser: Window;
  perSerial: Window;
  perAddress: Window;
}

export interface ClaimRequest {
  uid: string;
  serialNumber: string;
  claimCode: string;
  deviceName: string;
  /** The client address the request came from (rate limits). */
  ip: string;
}

export interface ClaimResult {
  /** 201 for a new claim; 200 when the caller already owns it (a retried request). */
  status: 201 | 200;
  body: RegisterResponse;
}

const wrongCode = () =>
  new RegistryError(403, 'wrong_claim_code', 'The claim code does not match this device. Check the label.');

type Outcome = ClaimResult | 'wrong_code';

export async function claimDevice(
  db: Firestore,
  settings: ClaimSettings,
  request: ClaimRequest,
): Promise<ClaimResult> {
  const check = validateSerial(request.serialNumber);
  if (!check.ok) throw new RegistryError(400, 'invalid_serial', check.message);
  const serial = check.serial;

  const [USER, ADDRESS, SERIAL] = [0, 1, 2];
  const reserved = await reserve(
    db,
    [
      { key: rateLimitKey('claim-user', request.uid), window: settings.perUser },
      { key: rateLimitKey('claim-ip', request.ip), window: settings.perAddress },
      { key: claimSerialLimitKey(serial), window: settings.perSerial },
    ],
    // Counts include this attempt.
    (counts) => {
      const refusing: number[] = [];
      if (counts[USER] > settings.perUser.limit) refusing.push(USER);
      if (counts[ADDRESS] > settings.perAddress.limit) refusing.push(ADDRESS);
      // A serial under attack: only an account with no other attempt of its own in the window may try it.
      if (counts[SERIAL] > settings.perSerial.limit && counts[USER] > 1) refusing.push(SERIAL);
      return refusing;
    },
  );
  if (!reserved.ok) {
    await refund(db, reserved.counted);
    throw tooManyRequests('Too many wrong claim codes. Try again later.', reserved.retryAfterSeconds);
  }

  let outcome: Outcome;
  try {
    outcome = await claimTransaction(db, settings, request, serial);
  } catch (error) {
    await refund(db, reserved.counted);
    throw error;
  }
  if (outcome === 'wrong_code') throw wrongCode();
  await refund(db, reserved.counted);
  return outcome;
}

async function claimTransaction(
  db: Firestore,
  settings: ClaimSettings,
  request: ClaimRequest,
  serial: string,
): Promise<Outcome> {
  const r = refs(db);
  let displacedOwner = false;
  const outcome = await db.runTransaction(async (tx): Promise<Outcome> => {
    displacedOwner = false;
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
    const now = Timestamp.now();
    const window = labelClaimOpen(device.status, secret, now.toMillis());
    const codeMatches = async () =>
      isClaimCodeFormat(request.claimCode) &&
      (await verifyClaimCode(request.claimCode, secret.claim_code_hash, settings.pepper));

    if (device.status !== 'available' && device.owner_uid === request.uid) {
      if (!(await codeMatches())) return 'wrong_code';
      const link = await tx.get(r.link(request.uid, deviceId));
      if (link.exists) return { status: 200, body: responseFor(device, link.data() as UserDeviceDoc) };
    }
    // Closed: no answer depends on the code, so nothing here helps a guesser.
    if (!window.open) {
      if (device.status !== 'available') {
        throw new RegistryError(409, 'already_claimed', 'This device already belongs to an account.');
      }
      throw new RegistryError(
        409,
        REGISTRY_ERRORS.resetRequired,
        'This device was given up by its owner. Reset it (hold its button while powering it on), connect it to Wi-Fi, then claim it within the hour.',
      );
    }
    if (!(await codeMatches())) return 'wrong_code';
    if (window.byReset && (secret.former_owner_uids ?? []).includes(request.uid)) {
      throw new RegistryError(
        403,
        REGISTRY_ERRORS.formerOwner,
        'You gave this device up, so it can only be claimed by whoever holds it now. Ask support if this is wrong.',
      );
    }

    const links = device.status === 'available' ? [] : (await tx.get(r.linksOf(deviceId))).docs;
    // The plan's device limit (plans/enforce.ts): checked after the code, so it tells a guesser nothing, and
    // after the other reads, because it writes the account's claim lock.
    await requireDeviceRoom(db, request.uid, tx);
    // Defaults again, but the broker URL stays the one the unit was provisioned (and flashed) with.
    const brokerUrl =
      (configSnap.data() as DeviceConfigDoc | undefined)?.mqtt_broker_url ?? settings.deviceBrokerUrl;
    const link = handOver(tx, db, {
      device,
      secret,
      links: links.map((doc) => doc.data() as UserDeviceDoc),
      newOwnerUid: request.uid,
      deviceName: request.deviceName,
      now,
    });
    tx.set(r.config(deviceId), defaultConfig(deviceId, brokerUrl, now));
    tx.delete(r.rateLimit(claimSerialLimitKey(serial)));
    displacedOwner = device.owner_uid !== null && device.owner_uid !== undefined;
    return { status: 201, body: responseFor(device, link) };
  });
  if (outcome !== 'wrong_code' && displacedOwner) await deleteOwnerHistory(db, outcome.body.device_id);
  return outcome;
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
