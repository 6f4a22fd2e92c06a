import { COLLECTIONS } from '@esp32cloud/protocol';
import { collection, documentId, type Firestore, type Query, query, where } from 'firebase/firestore';

// The Firestore queries the web app makes, kept here so tests/rules/product-rules.test.ts proves these very
// queries against firestore.rules: the rules let a user list user_devices only filtered on their own user_id,
// and devices only filtered on owner_uid == their own uid.

/**
 * Every device the signed-in user owns, in one listener: a fleet of 1,000 is one query, not 1,000 document
 * listeners. Each carries its owner's name for it (`owner_device_name`), so the dashboard needs no owner links.
 * Devices shared with the user (a handful) are followed one document each.
 */
export function ownedDevicesQuery(db: Firestore, uid: string): Query {
  return query(collection(db, COLLECTIONS.devices), where('owner_uid', '==', uid));
}

/** The most devices one `in` filter may name (Firestore's limit for `in`). */
export const FIRST_SCREEN_DEVICES = 30;

/**
 * A few owned devices by id (at most FIRST_SCREEN_DEVICES): the first screen of a big dashboard, listened to
 * before the whole fleet so the cards a user sees turn live without waiting for 1,000 documents.
 */
export function ownedDevicesByIdQuery(db: Firestore, uid: string, deviceIds: readonly string[]): Query {
  return query(
    collection(db, COLLECTIONS.devices),
    where('owner_uid', '==', uid),
    where(documentId(), 'in', deviceIds.slice(0, FIRST_SCREEN_DEVICES)),
  );
}

/**
 * Every device link of the signed-in user, whatever its level. The dashboard listens to the two halves below
 * instead; tests/browser's harness still proves this whole query under the rules in real Chromium.
 */
export function userLinksQuery(db: Firestore, uid: string): Query {
  return query(collection(db, COLLECTIONS.userDevices), where('user_id', '==', uid));
}

/**
 * The links of devices others shared with the signed-in user: the dashboard's link listener. The owner's own
 * links repeat the owned devices (and, keyed `{uid}_{deviceId}`, cost the web SDK about as much again as the
 * devices themselves at 1,000), so they are left out.
 */
export function sharedLinksQuery(db: Firestore, uid: string): Query {
  return query(
    collection(db, COLLECTIONS.userDevices),
    where('user_id', '==', uid),
    where('access_level', 'in', ['controller', 'viewer']),
  );
}

/**
 * The owner's own links: read only for owned devices claimed before `owner_device_name` existed, for their
 * names.
 */
export function ownerLinksQuery(db: Firestore, uid: string): Query {
  return query(
    collection(db, COLLECTIONS.userDevices),
    where('user_id', '==', uid),
    where('access_level', '==', 'owner'),
  );
}
