import { firestorePaths, type HistoryDayDoc, type HistoryHourDoc, usageMonthId } from '@esp32cloud/protocol';
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
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

/**
 * The day summary, and with it the owner's monthly message meter (usage_monthly, docs/BILLING.md): the
 * hand-over's messages are added in the same transaction, so the meter costs one write per device per
 * hand-over (once a day), never one per message. The owner is read outside the transaction: it changes rarely
 * and the device document is written often.
 */
export async function writeDay(db: Firestore, delta: HistoryDayDoc): Promise<void> {
  const ref = db.doc(firestorePaths.historyDay(delta.device_id, delta.day));
  const owner =
    delta.messages > 0 ? (await db.doc(firestorePaths.device(delta.device_id)).get()).get('owner_uid') : null;
  const month = usageMonthId(Date.now());
  await withRetry(() =>
    db.runTransaction(async (tx) => {
      const stored = await tx.get(ref);
      tx.set(ref, mergeDay(stored.data() as HistoryDayDoc | undefined, delta));
      if (typeof owner === 'string' && owner !== '')
        tx.set(
          db.doc(firestorePaths.usageMonth(owner, month)),
          { uid: owner, month, messages: FieldValue.increment(delta.messages) },
          { merge: true },
        );
    }),
  );
}
