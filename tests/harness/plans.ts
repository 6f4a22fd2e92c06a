import type { PlanId } from '@esp32cloud/protocol';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import type { Stack } from './stack.ts';

// Suites whose scenario needs more than the Free plan allows (many devices, many people on one device, alert
// webhooks, a month of detailed history) put the account on a bigger plan the way an operator or billing
// does: users/{uid}.plan written with the Admin SDK. The limits themselves are tested in tests/billing/.

export async function setPlan(stack: Stack, uid: string, plan: PlanId): Promise<void> {
  if (stack.firestoreHost) process.env.FIRESTORE_EMULATOR_HOST = stack.firestoreHost;
  const name = `plans-${stack.projectId}`;
  const app = getApps().find((a) => a.name === name) ?? initializeApp({ projectId: stack.projectId }, name);
  await getFirestore(app).doc(`users/${uid}`).set({ plan }, { merge: true });
}
