import { type AcceptTransferResponse, type DeviceTransfer, TRANSFER_ERRORS } from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { deleteOwnerHistory, handOver } from '../claims/ownership.ts';
import type { Caller } from '../http/auth.ts';
import { requireDeviceRoom } from '../plans/enforce.ts';
import {
  type DeviceDoc,
  type DeviceSecretDoc,
  iso,
  refs,
  type TransferDoc,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { findRecipient } from '../sharing/recipients.ts';
import { requireOwner } from '../sharing/shares.ts';

// Ownership transfer (docs/REGISTRY.md): the owner offers a device to another account by email (verified, as
// for sharing); the recipient accepts while signed in with a verified email, and in one transaction the device
// becomes theirs: every other link goes, the sender is remembered as a former owner (the printed label cannot
// bring it back to them), the previous owner's history is deleted. One pending transfer per device
// (transfers/{deviceId}); it expires, the owner can cancel it, the recipient can decline it.

const noTransfer = () =>
  new RegistryError(404, TRANSFER_ERRORS.noTransfer, 'There is no pending transfer for this device.');

export function transferView(doc: TransferDoc): DeviceTransfer {
  return {
    device_id: doc.device_id,
    serial_number: doc.serial_number,
    device_type: doc.device_type,
    device_name: doc.device_name,
    from_uid: doc.from_uid,
    from_email: doc.from_email,
    to_uid: doc.to_uid,
    to_email: doc.to_email,
    created_at: iso(doc.created_at),
    expires_at: iso(doc.expires_at),
  };
}

const live = (doc: TransferDoc, nowMs: number) => doc.expires_at.toMillis() > nowMs;

export async function offerTransfer(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  deviceId: string,
  email: string,
  expirySeconds: number,
): Promise<DeviceTransfer> {
  // Ownership first, so a non-owner learns nothing about which emails have accounts.
  await db.runTransaction((tx) => requireOwner(tx, db, caller, deviceId));
  const target = await findRecipient(
    db,
    auth,
    caller,
    email,
    'You already own this device; transfer it to someone else.',
  );
  return db.runTransaction(async (tx) => {
    const { device, link } = await requireOwner(tx, db, caller, deviceId);
    const now = Timestamp.now();
    const doc: TransferDoc = {
      device_id: deviceId,
      serial_number: device.serial_number,
      device_type: device.device_type,
      device_name: link.device_name,
      from_uid: caller.uid,
      from_email: caller.email,
      to_uid: target.uid,
      to_email: target.email ?? email,
      created_at: now,
      expires_at: Timestamp.fromMillis(now.toMillis() + expirySeconds * 1000),
    };
    tx.set(refs(db).transfer(deviceId), doc);
    return transferView(doc);
  });
}

/** The owner's view of the device's pending transfer. */
export async function pendingTransfer(
  db: Firestore,
  caller: Caller,
  deviceId: string,
): Promise<DeviceTransfer> {
  return db.runTransaction(async (tx) => {
    await requireOwner(tx, db, caller, deviceId);
    const snap = await tx.get(refs(db).transfer(deviceId));
    const doc = snap.data() as TransferDoc | undefined;
    if (!doc || doc.from_uid !== caller.uid || !live(doc, Date.now())) throw noTransfer();
    return transferView(doc);
  });
}

export async function cancelTransfer(db: Firestore, caller: Caller, deviceId: string): Promise<void> {
  await db.runTransaction(async (tx) => {
    await requireOwner(tx, db, caller, deviceId);
    const ref = refs(db).transfer(deviceId);
    if (!(await tx.get(ref)).exists) throw noTransfer();
    tx.delete(ref);
  });
}

export async function incomingTransfers(db: Firestore, uid: string): Promise<DeviceTransfer[]> {
  const nowMs = Date.now();
  const snaps = await refs(db).transfersTo(uid).get();
  return snaps.docs
    .map((doc) => doc.data() as TransferDoc)
    .filter((doc) => live(doc, nowMs))
    .sort((a, b) => a.created_at.toMillis() - b.created_at.toMillis())
    .map(transferView);
}

/** The recipient turns a transfer down; it is gone for both sides. */
export async function declineTransfer(db: Firestore, uid: string, deviceId: string): Promise<void> {
  await db.runTransaction(async (tx) => {
    const ref = refs(db).transfer(safeId(deviceId));
    const doc = (await tx.get(ref)).data() as TransferDoc | undefined;
    if (!doc || doc.to_uid !== uid) throw noTransfer();
    tx.delete(ref);
  });
}

export async function acceptTransfer(
  db: Firestore,
  caller: Caller,
  deviceId: string,
): Promise<AcceptTransferResponse> {
  if (caller.claims.email_verified !== true) {
    throw new RegistryError(
      403,
      TRANSFER_ERRORS.emailUnverified,
      'Verify your email address (open the link we sent you), sign in again, then accept the device.',
    );
  }
  const r = refs(db);
  const id = safeId(deviceId);
  const accepted = await db.runTransaction(async (tx) => {
    const transferSnap = await tx.get(r.transfer(id));
    const transfer = transferSnap.data() as TransferDoc | undefined;
    if (!transfer || transfer.to_uid !== caller.uid) throw noTransfer();
    const [deviceSnap, secretSnap] = await tx.getAll(r.device(id), r.secret(id));
    const links = await tx.get(r.linksOf(id));
    if (!live(transfer, Date.now())) {
      tx.delete(r.transfer(id));
      return 'expired' as const;
    }
    const device = deviceSnap.data() as DeviceDoc | undefined;
    if (!device || device.owner_uid !== transfer.from_uid) {
      tx.delete(r.transfer(id));
      return 'stale' as const;
    }
    // Accepting is claiming: the recipient's plan must have room for one more device (plans/enforce.ts).
    await requireDeviceRoom(db, caller.uid, tx);
    const link = handOver(tx, db, {
      device,
      secret: (secretSnap.data() ?? {}) as DeviceSecretDoc,
      links: links.docs.map((doc) => doc.data() as UserDeviceDoc),
      newOwnerUid: caller.uid,
      deviceName: transfer.device_name,
      now: Timestamp.now(),
    });
    const reply: AcceptTransferResponse = {
      device_id: id,
      serial_number: device.serial_number,
      device_type: device.device_type,
      device_name: link.device_name,
      access_level: 'owner',
    };
    return reply;
  });
  if (accepted === 'expired') {
    throw new RegistryError(
      410,
      TRANSFER_ERRORS.expired,
      'This transfer has expired. Ask the owner to send it again.',
    );
  }
  if (accepted === 'stale') {
    throw new RegistryError(
      409,
      TRANSFER_ERRORS.stale,
      'This device changed hands since it was offered to you.',
    );
  }
  await deleteOwnerHistory(db, id);
  return accepted;
}

function safeId(deviceId: string): string {
  if (deviceId.includes('/') || deviceId.length > 200 || deviceId.startsWith('__') || deviceId === '')
    throw noTransfer();
  return deviceId;
}
