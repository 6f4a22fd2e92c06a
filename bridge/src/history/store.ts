import { firestorePaths, type HistoryDayDoc, type HistoryHourDoc } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { withRetry } from '../retry.ts';
import { mergeDay, mergeHour } from './merge.ts';

// The history documents' only writer: each hand-over is one transaction that reads what is stored and writes
// the merge (reads are cheaper than writes, and a merge keeps partial flushes and several bridge instances
// exact). One write per document per hand-over.

export async function writeHour(db: Firestore, delta: HistoryHourDoc): Promise<void> {
  const ref = db.doc(firestorePaths.historyHour(delta.device_id, delta.hour));
  await withRetry(() =>
    db.runTransaction(async (tx) => {
      const stored = await tx.get(ref);
      tx.set(ref, mergeHour(stored.data() as HistoryHourDoc | undefined, delta));
    }),
  );
}

export async function writeDay(db: Firestore, delta: HistoryDayDoc): Promise<void> {
  const ref = db.doc(firestorePaths.historyDay(delta.device_id, delta.day));
  await withRetry(() =>
    db.runTransaction(async (tx) => {
      const stored = await tx.get(ref);
      tx.set(ref, mergeDay(stored.data() as HistoryDayDoc | undefined, delta));
    }),
  );
}
