import {
  type AlertCondition,
  type AlertRuleDoc,
  CATALOGUE,
  COLLECTIONS,
  type createAlertRuleSchema,
  firestorePaths,
  type updateAlertRuleSchema,
} from '@esp32cloud/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import type { z } from 'zod';
import { loadAccess, requireLevel } from '../devices/access.ts';
import type { Caller } from '../http/auth.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { alertRuleAllowance, requireWritableDevice } from '../plans/enforce.ts';

// Alert rules of a device: any linked user reads them (to decide whether to subscribe); only the owner
// creates, changes and deletes them. A rule names readings and outputs the device type really has.

type CreateBody = z.infer<typeof createAlertRuleSchema>;
type UpdateBody = z.infer<typeof updateAlertRuleSchema>;

function checkAgainstDevice(condition: AlertCondition, deviceType: keyof typeof CATALOGUE): void {
  const spec = CATALOGUE[deviceType];
  if (condition.kind === 'threshold' && !spec.readings.some((r) => r.key === condition.reading)) {
    const known = spec.readings.map((r) => r.key).join(', ') || 'none';
    throw badRequest(
      `Invalid body: condition.reading: a ${deviceType} has no reading "${condition.reading}" (readings: ${known})`,
      [{ field: 'condition.reading', message: `unknown reading for ${deviceType}` }],
    );
  }
  if (condition.kind === 'output_changed' && !spec.outputs.some((o) => o.key === condition.output)) {
    const known = spec.outputs.map((o) => o.key).join(', ') || 'none';
    throw badRequest(
      `Invalid body: condition.output: a ${deviceType} has no output "${condition.output}" (outputs: ${known})`,
      [{ field: 'condition.output', message: `unknown output for ${deviceType}` }],
    );
  }
}

const rulesOf = (db: Firestore, deviceId: string) =>
  db.collection(COLLECTIONS.alertRules).where('device_id', '==', deviceId);

export async function listRules(db: Firestore, caller: Caller, deviceId: string): Promise<AlertRuleDoc[]> {
  await loadAccess(db, caller, deviceId);
  const snap = await rulesOf(db, deviceId).get();
  return snap.docs
    .map((d) => d.data() as AlertRuleDoc)
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.rule_id.localeCompare(b.rule_id));
}

export async function createRule(
  db: Firestore,
  caller: Caller,
  deviceId: string,
  body: CreateBody,
): Promise<AlertRuleDoc> {
  const access = await loadAccess(db, caller, deviceId);
  requireLevel(access, ['owner']);
  checkAgainstDevice(body.condition, access.device.device_type);
  const ref = db.collection(COLLECTIONS.alertRules).doc();
  const now = new Date().toISOString();
  const rule: AlertRuleDoc = {
    rule_id: ref.id,
    device_id: deviceId,
    owner_uid: caller.uid,
    name: body.name ?? null,
    condition: body.condition,
    severity: body.severity,
    enabled: body.enabled,
    created_at: now,
    updated_at: now,
  };
  await requireWritableDevice(db, access.device);
  const allowance = await alertRuleAllowance(db, caller.uid);
  await db.runTransaction(async (tx) => {
    const existing = await tx.get(rulesOf(db, deviceId));
    if (existing.size >= allowance.allowed) throw allowance.refuse(existing.size);
    tx.create(ref, rule);
  });
  return rule;
}

async function ownedRule(db: Firestore, caller: Caller, deviceId: string, ruleId: string) {
  const access = await loadAccess(db, caller, deviceId);
  requireLevel(access, ['owner']);
  if (ruleId.includes('/') || ruleId.length > 128) throw notFound(`No alert rule ${ruleId} on this device.`);
  const ref = db.doc(firestorePaths.alertRule(ruleId));
  const snap = await ref.get();
  if (!snap.exists || snap.get('device_id') !== deviceId)
    throw notFound(`No alert rule ${ruleId} on this device.`);
  return { ref, rule: snap.data() as AlertRuleDoc, deviceType: access.device.device_type };
}

export async function updateRule(
  db: Firestore,
  caller: Caller,
  deviceId: string,
  ruleId: string,
  body: UpdateBody,
): Promise<AlertRuleDoc> {
  const { ref, rule, deviceType } = await ownedRule(db, caller, deviceId, ruleId);
  if (body.condition) checkAgainstDevice(body.condition, deviceType);
  const updated: AlertRuleDoc = {
    ...rule,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.condition ? { condition: body.condition } : {}),
    ...(body.severity ? { severity: body.severity } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    updated_at: new Date().toISOString(),
  };
  await ref.set(updated);
  // A changed condition starts from a clean slate: the old episode no longer describes it.
  if (body.condition) await db.doc(firestorePaths.alertState(ruleId)).delete();
  return updated;
}

export async function deleteRule(
  db: Firestore,
  caller: Caller,
  deviceId: string,
  ruleId: string,
): Promise<void> {
  const { ref } = await ownedRule(db, caller, deviceId, ruleId);
  const batch = db.batch();
  batch.delete(ref);
  batch.delete(db.doc(firestorePaths.alertState(ruleId)));
  await batch.commit();
}
