import type { SupportMetrics } from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { supportRefs, type TicketDoc } from './documents.ts';

// Operator metrics over the newest `scan` tickets: counts by status, the median time to the first operator
// reply, and tickets per device type and firmware (a firmware with many tickets is the first place to look).

export async function supportMetrics(db: Firestore, scan: number): Promise<SupportMetrics> {
  const snap = await supportRefs(db).tickets().orderBy('created_at', 'desc').limit(scan).get();
  const tickets = snap.docs.map((doc) => doc.data() as TicketDoc);
  const count = (status: string) => tickets.filter((t) => t.status === status).length;
  const responses = tickets
    .filter((t) => t.first_response_at)
    .map((t) => (t.first_response_at!.toMillis() - t.created_at.toMillis()) / 1000)
    .sort((a, b) => a - b);
  const tally = (key: (t: TicketDoc) => string | null) => {
    const out: Record<string, number> = {};
    for (const t of tickets) {
      const k = key(t) ?? 'none';
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };
  return {
    open_tickets: count('open'),
    waiting_on_customer: count('waiting_on_customer'),
    resolved_tickets: count('resolved'),
    median_first_response_seconds: median(responses),
    by_device_type: tally((t) => t.device_type),
    by_firmware: tally((t) => t.firmware),
  };
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(value);
}
