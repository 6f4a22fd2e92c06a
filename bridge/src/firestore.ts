import { randomUUID } from 'node:crypto';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';

// Each bridge gets its own firebase-admin app, so tests can run several bridges in one process and a stopped
// bridge releases its connections. Locally FIRESTORE_EMULATOR_HOST points the SDK at the emulator.

export function openFirestore(projectId: string): { db: Firestore; close: () => Promise<void> } {
  const app: App = initializeApp({ projectId }, `bridge-${randomUUID()}`);
  const db = getFirestore(app);
  db.settings({ ignoreUndefinedProperties: true });
  return { db, close: () => deleteApp(app) };
}
