import { COLLECTIONS } from '@esp32cloud/protocol';
import { collection, type Firestore, type Query, query, where } from 'firebase/firestore';

// The Firestore queries the web app makes, kept here so tests/rules/product-rules.test.ts proves these very
// queries against firestore.rules: the rules let a user list user_devices only filtered on their own user_id,
// and devices only filtered on owner_uid == their own uid.

/**
 * Every device the signed-in user owns, in one listener: a fleet of 1,000 is one query, not 1,000 document
 * listeners. Devices shared with the user (a handful) are followed one document each.
 */
export function ownedDevicesQuery(db: Firestore, uid: string): Query {
  return query(collection(db, COLLECTIONS.devices), where('owner_uid', '==', uid));
}

/** The signed-in user's own device links (the dashboard's listener). */
export function userLinksQuery(db: Firestore, uid: string): Query {
  return query(collection(db, COLLECTIONS.userDevices), where('user_id', '==', uid));
}
