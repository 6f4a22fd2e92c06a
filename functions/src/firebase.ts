import { getApps, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';

// One admin app per function instance, reused across invocations. Locally FIRESTORE_EMULATOR_HOST and
// FIREBASE_AUTH_EMULATOR_HOST point the SDK at the emulators.

if (getApps().length === 0) initializeApp();

export const db = getFirestore();
db.settings({ ignoreUndefinedProperties: true });
export const auth = getAuth();
