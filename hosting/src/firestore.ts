import { connectFirestoreEmulator, type Firestore, getFirestore } from 'firebase/firestore';
import { readRuntimeConfig } from './config.ts';
import { firebase } from './firebase.ts';

// Loaded only by the dashboard and the wizard (code-split), so the sign-in page ships without Firestore.

let cached: Firestore | undefined;

export function firestore(): Firestore {
  if (cached) return cached;
  const db = getFirestore(firebase().app);
  const emulator = readRuntimeConfig().emulators?.firestore;
  if (emulator) connectFirestoreEmulator(db, emulator.host, emulator.port);
  cached = db;
  return db;
}
