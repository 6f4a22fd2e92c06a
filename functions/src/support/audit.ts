import type { AuditEntry } from '@esp32cloud/protocol';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { Caller } from '../http/auth.ts';
import { type DeviceDoc, type DeviceSecretDoc, iso, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { type AuditDoc, auditView, supportRefs } from './documents.ts';

// The append-only audit log of operator actions (support_audit). Entries are created with create(), never
// updated or deleted by any code path; firestore.rules grants operators read and nobody write, and the API
// has no route that changes one. Each entry says who, when, what, why, and the device before and after.

export interface AuditInput {
  action: AuditEntry['action'];
  deviceId: string | null;
  ticketId: string | null;
  caller: Caller;
  reason: string;
  outcome: 'done' | 'failed';
  error: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export async function recordAudit(db: Firestore, input: AuditInput): Promise<AuditEntry> {
  const ref = supportRefs(db).audit().doc();
  const doc: AuditDoc = {
    entry_id: ref.id,
    action: input.action,
    device_id: input.deviceId,
    ticket_id: input.ticketId,
    actor_uid: input.caller.uid,
    actor_email: input.caller.email,
    reason: input.reason,
    outcome: input.outcome,
    error: input.error,
    before: input.before,
    after: input.after,
    at: Timestamp.now(),
  };
  await ref.create(doc);
  return auditView(doc);
}

/** What an audit entry records of a device: who owns it, who may use it, whether the broker knows it. */
export async function deviceFacts(db: Firestore, deviceId: string): Promise<Record<string, unknown> | null> {
  const r = refs(db);
  const [deviceSnap, secretSnap, links] = await Promise.all([
    r.device(deviceId).get(),
    r.secret(deviceId).get(),
    r.linksOf(deviceId).get(),
  ]);
  if (!deviceSnap.exists) return { exists: false };
  const device = deviceSnap.data() as DeviceDoc;
  const secret = (secretSnap.data() ?? {}) as DeviceSecretDoc;
  return {
    exists: true,
    status: device.status,
    owner_uid: device.owner_uid,
    online: device.state?.online === true,
    users: links.docs
      .map((doc) => doc.data() as UserDeviceDoc)
      .map((link) => `${link.user_id}:${link.access_level}`)
      .sort(),
    broker_registered: secret.broker_registered ?? null,
    claim_open: secret.claim_open ?? null,
    registered_at: iso(device.registered_at),
  };
}

export async function listAudit(
  db: Firestore,
  filter: { deviceId?: string; actor?: string; limit: number },
): Promise<AuditEntry[]> {
  let query: FirebaseFirestore.Query = supportRefs(db).audit();
  if (filter.deviceId) query = query.where('device_id', '==', filter.deviceId);
  // The actor by uid, or by the email the operator signed in with.
  if (filter.actor)
    query = query.where(filter.actor.includes('@') ? 'actor_email' : 'actor_uid', '==', filter.actor);
  const snap = await query.orderBy('at', 'desc').limit(filter.limit).get();
  return snap.docs.map((doc) => auditView(doc.data() as AuditDoc));
}
