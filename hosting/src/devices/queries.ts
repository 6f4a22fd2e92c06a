import { COLLECTIONS } from '@esp32cloud/protocol';
import { collection, type Firestore, type Query, query, where } from 'firebase/firestore';

// The one Firestore query the web app makes, kept here so tests/rules/product-rules.test.ts proves this very
// query against firestore.rules: the rules let a user list user_devices only filtered on their own user_id.

/** The signed-in user's own device links (the dashboard's listener). */
export function userLinksQuery(db: Firestore, uid: string): Query {
  return query(collection(db, COLLECTIONS.userDevices), where('user_id', '==', uid));
}
