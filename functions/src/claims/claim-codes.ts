import { FieldValue, type Firestore, type Timestamp, type Transaction } from 'firebase-admin/firestore';
import { type DeviceSecretDoc, refs } from '../shared/documents.ts';

// The one write of a replacement claim code (release, operator reissue, lost factory files): the new hash
// replaces the old one and the generation goes up by one, so a leaked old label is useless. The first claim
// code is part of the device's secret document created at provisioning (generation 1).

export function writeClaimCode(
  tx: Transaction,
  db: Firestore,
  device: { deviceId: string; serial: string },
  claimCodeHash: string,
  now: Timestamp,
  alsoSet: Partial<
    Pick<
      DeviceSecretDoc,
      | 'broker_username'
      | 'broker_password_hash'
      | 'broker_registered'
      | 'claim_open'
      | 'claim_opened_by'
      | 'claim_open_until_ms'
    >
  > = {},
): void {
  tx.set(
    refs(db).secret(device.deviceId),
    {
      device_id: device.deviceId,
      serial_number: device.serial,
      claim_code_hash: claimCodeHash,
      claim_code_generation: FieldValue.increment(1),
      updated_at: now,
      ...alsoSet,
    },
    { merge: true },
  );
}
