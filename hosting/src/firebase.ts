import { type FirebaseApp, getApp, getApps, initializeApp } from 'firebase/app';
import {
  type Auth,
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
} from 'firebase/auth';
import { readRuntimeConfig } from './config.ts';

// Only app + auth live in the first page's bundle; Firestore is loaded by the pages that listen (firestore.ts).

let cached: { app: FirebaseApp; auth: Auth } | undefined;

export function firebase(): { app: FirebaseApp; auth: Auth } {
  if (cached) return cached;
  const config = readRuntimeConfig();
  const app = getApps().length ? getApp() : initializeApp(config.firebase);
  // initializeAuth without a popup/redirect resolver keeps that code out of the bundle; the session persists
  // across reloads in IndexedDB (localStorage where IndexedDB is unavailable).
  const auth = initializeAuth(app, { persistence: [indexedDBLocalPersistence, browserLocalPersistence] });
  if (config.emulators) connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
  cached = { app, auth };
  return cached;
}
