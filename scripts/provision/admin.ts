import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';

// firebase-admin for the factory and operator CLIs. They talk to the local emulators unless told otherwise:
// FIRESTORE_EMULATOR_HOST / FIREBASE_AUTH_EMULATOR_HOST from the environment, else the default emulator
// ports; the project is GCLOUD_PROJECT, else the default project of .firebaserc.

const repoRoot = path.resolve(import.meta.dirname, '../..');

export function defaultProjectId(): string {
  const fromEnv = process.env.GCLOUD_PROJECT || process.env.GCP_PROJECT;
  if (fromEnv) return fromEnv;
  try {
    const rc = JSON.parse(readFileSync(path.join(repoRoot, '.firebaserc'), 'utf8')) as {
      projects?: { default?: string };
    };
    if (rc.projects?.default) return rc.projects.default;
  } catch {
    // no .firebaserc: fall through
  }
  return 'demo-esp32-cloud';
}

export interface AdminHandles {
  projectId: string;
  db: Firestore;
  auth: Auth;
  firestoreHost: string;
  authHost: string;
}

export function connectAdmin(): AdminHandles {
  process.env.FIRESTORE_EMULATOR_HOST ||= '127.0.0.1:8080';
  process.env.FIREBASE_AUTH_EMULATOR_HOST ||= '127.0.0.1:9099';
  // No Google metadata server here: skip google-auth-library's probe of it (and its warning).
  process.env.METADATA_SERVER_DETECTION ||= 'none';
  const projectId = defaultProjectId();
  const app = getApps()[0] ?? initializeApp({ projectId });
  const db = getFirestore(app);
  db.settings({ ignoreUndefinedProperties: true });
  return {
    projectId,
    db,
    auth: getAuth(app),
    firestoreHost: process.env.FIRESTORE_EMULATOR_HOST,
    authHost: process.env.FIREBASE_AUTH_EMULATOR_HOST,
  };
}
