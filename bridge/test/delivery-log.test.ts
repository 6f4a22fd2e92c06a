import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trimDeliveryLog } from '../src/alerts/delivery-log.ts';
import { startFirestoreFixture } from './bridge-fixtures.ts';

// A webhook endpoint's delivery log keeps its newest entries, against our Firestore emulator.

let stop: () => Promise<void>;
let db: Firestore;

beforeAll(async () => {
  const store = await startFirestoreFixture();
  db = store.db;
  stop = store.stop;
});

afterAll(async () => {
  await stop?.();
});

async function seed(webhookId: string, count: number) {
  const batch = db.batch();
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.UTC(2026, 11, 2, 0, 0, i)).toISOString();
    batch.set(db.doc(`webhooks/${webhookId}/deliveries/d${String(i).padStart(4, '0')}`), {
      delivery_id: i,
      at,
    });
  }
  await batch.commit();
}

const ids = async (webhookId: string) =>
  (await db.collection(`webhooks/${webhookId}/deliveries`).orderBy('at').get()).docs.map((d) => d.id);

describe('webhook delivery log', () => {
  it('deletes the oldest entries beyond the cap and keeps the newest', async () => {
    await seed('hook-a', 230);
    expect(await trimDeliveryLog(db, 'hook-a', 200)).toBe(30);
    const left = await ids('hook-a');
    expect(left).toHaveLength(200);
    expect(left[0]).toBe('d0030');
    expect(left.at(-1)).toBe('d0229');
  });

  it('leaves a log within the cap alone, and other endpoints untouched', async () => {
    await seed('hook-b', 5);
    expect(await trimDeliveryLog(db, 'hook-b', 200)).toBe(0);
    expect(await ids('hook-b')).toHaveLength(5);
    expect(await trimDeliveryLog(db, 'hook-b', 3)).toBe(2);
    expect(await ids('hook-b')).toEqual(['d0002', 'd0003', 'd0004']);
    expect(await ids('hook-a')).toHaveLength(200);
  });
});
