import { withFormerOwner } from '@esp32cloud/protocol';
import type { Firestore, Timestamp, Transaction } from 'firebase-admin/firestore';
import { deleteDeviceSubcollections } from '../shared/delete-subcollections.ts';
import {
  DEVICE_SUBCOLLECTIONS,
  type DeviceDoc,
  type DeviceSecretDoc,
  refs,
  type UserDeviceDoc,
} from '../shared/documents.ts';

// The one way a device changes owner once it has one (a claim inside a reset window, an accepted transfer):
// every old link goes, the new owner gets the only link, the label stops working until the next reset, the
// old owner is remembered as a former owner, and a pending transfer is dropped. Runs inside the caller's
// transaction after all its reads (`links` and `secret` are read by the caller).

/** Subcollections that hold a previous owner's history, deleted after a change of hands. */
export const OWNER_HISTORY = [DEVICE_SUBCOLLECTIONS.commands, DEVICE_SUBCOLLECTIONS.usage];

export function handOver(
  tx: Transaction,
  db: Firestore,
  change: {
    device: DeviceDoc;
    secret: DeviceSecretDoc;
    links: UserDeviceDoc[];
    newOwnerUid: string;
    deviceName: string;
    now: Timestamp;
  },
): UserDeviceDoc {
  const r = refs(db);
  const deviceId = change.device.device_id;
  for (const link of change.links) tx.delete(r.link(link.user_id, deviceId));
  const link: UserDeviceDoc = {
    user_id: change.newOwnerUid,
    device_id: deviceId,
    device_name: change.deviceName,
    access_level: 'owner',
    added_at: change.now,
    last_accessed: change.now,
  };
  tx.set(r.link(change.newOwnerUid, deviceId), link);
  tx.update(r.device(deviceId), {
    // An online unit stays 'active' (the bridge sets that on its first message after a claim).
    status: change.device.status === 'available' ? 'registered' : change.device.status,
    owner_uid: change.newOwnerUid,
    registered_at: change.now,
    desired: null,
    // Rooms are the owner's own arrangement: a new owner starts without the last one's.
    room: null,
    owner_device_name: change.deviceName,
  });
  tx.set(r.secret(deviceId), closedClaim(change.secret, change.device.owner_uid, change.now), {
    merge: true,
  });
  tx.delete(r.transfer(deviceId));
  return link;
}

/** The claim fields once a device has an owner or was given up: the label does nothing until a reset. */
export function closedClaim(
  secret: DeviceSecretDoc,
  formerOwnerUid: string | null | undefined,
  now: Timestamp,
): Partial<DeviceSecretDoc> & { updated_at: Timestamp } {
  return {
    claim_open: false,
    claim_opened_by: null,
    claim_open_until_ms: null,
    former_owner_uids: withFormerOwner(secret.former_owner_uids, formerOwnerUid),
    updated_at: now,
  };
}

/** After a change of hands: the previous owner's command and usage history goes. */
export function deleteOwnerHistory(db: Firestore, deviceId: string): Promise<void> {
  return deleteDeviceSubcollections(db, deviceId, OWNER_HISTORY);
}
