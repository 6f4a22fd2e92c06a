import {
  firestorePaths,
  parseCommand,
  SHARING_ERRORS,
  type SupportAction,
  type SupportActionResponse,
  setupUrl,
} from '@esp32cloud/protocol';
import type { Auth } from 'firebase-admin/auth';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import { deleteOwnerHistory, handOver } from '../claims/ownership.ts';
import { reissueClaimCode, releaseDevice } from '../claims/release.ts';
import { sendCommand } from '../commands/send.ts';
import { config } from '../config.ts';
import type { Caller } from '../http/auth.ts';
import { ApiError } from '../http/errors.ts';
import { logs } from '../logs.ts';
import { decommissionDevice } from '../provisioning/decommission.ts';
import { withBroker } from '../provisioning/with-broker.ts';
import { type DeviceDoc, type DeviceSecretDoc, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { hashRandomSecret, randomBrokerPassword } from '../shared/secrets.ts';
import { releaseSettings } from '../shared/settings.ts';
import { deviceFacts, recordAudit } from './audit.ts';
import { queueSupportMail } from './mail.ts';
import { type ActionBody, parseActionBody, requireConfirmation, safeDocId } from './validation.ts';

// Operator actions on a device (docs/SUPPORT.md). Each runs the platform's own code for the job (claims,
// release, ownership hand-over, decommission, the broker admin, the command path) and is recorded in the
// append-only audit log with the operator, the reason, the outcome and the device before and after, whether
// it worked or not. Destructive actions need the second confirmation (validation.ts).

type Result = Record<string, unknown>;

export async function runSupportAction(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  deviceId: string,
  action: SupportAction,
  rawBody: unknown,
): Promise<SupportActionResponse> {
  const id = safeDocId(deviceId, 'device');
  const body = parseActionBody(action, rawBody);
  const snap = await refs(db).device(id).get();
  if (!snap.exists) throw new RegistryError(404, 'not_found', `No device ${id}.`);
  const device = snap.data() as DeviceDoc;
  requireConfirmation(
    action,
    'confirm' in body ? (body.confirm as string | undefined) : undefined,
    device.serial_number,
  );

  const before = await deviceFacts(db, id);
  let result: Result = {};
  let failure: unknown = null;
  try {
    result = await perform(db, auth, caller, device, action, body);
  } catch (error) {
    failure = error;
  }
  const entry = await recordAudit(db, {
    action,
    deviceId: id,
    ticketId: body.ticket_id ?? null,
    caller,
    reason: body.reason,
    outcome: failure ? 'failed' : 'done',
    error: failure ? (failure instanceof ApiError ? failure.code : 'internal') : null,
    before,
    after: await deviceFacts(db, id),
  });
  logs.supportAction(action, id, caller.uid, entry.entry_id, entry.outcome);
  if (failure) throw failure;
  return { action, device_id: id, audit_id: entry.entry_id, result };
}

async function perform(
  db: Firestore,
  auth: Auth,
  caller: Caller,
  device: DeviceDoc,
  action: SupportAction,
  body: ActionBody<SupportAction>,
): Promise<Result> {
  const settings = releaseSettings();
  switch (action) {
    case 'reissue_claim_code': {
      const { claimCode } = await reissueClaimCode(db, settings, device.device_id);
      return {
        claim_code: claimCode,
        setup_url: setupUrl(settings.appUrl, {
          serial: device.serial_number,
          claimCode,
          type: device.device_type,
        }),
      };
    }
    case 'release':
      return { ...(await releaseDevice(db, settings, device.device_id, caller.uid, true)) };
    case 'transfer':
      return transferTo(db, auth, device, (body as ActionBody<'transfer'>).email);
    case 'decommission': {
      const done = await withBroker((broker) => decommissionDevice(db, device.device_id, broker));
      return { serial_number: done.serial, broker_revoked: done.brokerRevoked };
    }
    case 'revoke_credentials':
      return revokeCredentials(db, device, (body as ActionBody<'revoke_credentials'>).rekey);
    case 'diagnostic': {
      const wanted = (body as ActionBody<'diagnostic'>).command;
      // "Report now": a sensor measures and reports; every type answers ping with its status.
      const name = wanted === 'report_now' && device.device_type === 'Sensor' ? 'read_now' : 'ping';
      const parsed = parseCommand(device.device_type, { command: name });
      if (!parsed.ok) throw new ApiError(400, 'invalid_argument', parsed.error);
      return { ...(await sendCommand(device, parsed.value, caller.uid)), command: name };
    }
    case 'resend_setup_link':
      return resendSetupLink(db, auth, device, (body as ActionBody<'resend_setup_link'>).email);
  }
}

/** Support moves a device straight to another (verified) account: the platform's one hand-over path. */
async function transferTo(db: Firestore, auth: Auth, device: DeviceDoc, email: string): Promise<Result> {
  const target = await auth.getUserByEmail(email).catch(() => null);
  if (!target) throw new RegistryError(404, SHARING_ERRORS.userNotFound, `No account uses ${email}.`);
  if (!target.emailVerified) {
    throw new RegistryError(
      409,
      SHARING_ERRORS.recipientUnverified,
      `${email} has not verified its email address yet.`,
    );
  }
  const r = refs(db);
  const id = device.device_id;
  await db.runTransaction(async (tx) => {
    const [deviceSnap, secretSnap] = await tx.getAll(r.device(id), r.secret(id));
    const links = (await tx.get(r.linksOf(id))).docs.map((doc) => doc.data() as UserDeviceDoc);
    const current = deviceSnap.data() as DeviceDoc | undefined;
    if (!current) throw new RegistryError(404, 'not_found', `No device ${id}.`);
    if (current.owner_uid === target.uid)
      throw new ApiError(409, 'already_owner', `${email} owns this device already.`);
    const ownerLink = links.find((link) => link.access_level === 'owner');
    handOver(tx, db, {
      device: current,
      secret: (secretSnap.data() ?? {}) as DeviceSecretDoc,
      links,
      newOwnerUid: target.uid,
      deviceName: ownerLink?.device_name ?? current.serial_number,
      now: Timestamp.now(),
    });
  });
  await deleteOwnerHistory(db, id);
  return { new_owner_uid: target.uid, new_owner_email: target.email ?? email };
}

/**
 * Revoke: the broker forgets the device at once (it is disconnected and cannot connect). Re-key: it is then
 * registered again with a new password, returned once for the unit's flash file (docs/SUPPORT.md).
 */
async function revokeCredentials(db: Firestore, device: DeviceDoc, rekey: boolean): Promise<Result> {
  const r = refs(db);
  const secret = (await r.secret(device.device_id).get()).data() as DeviceSecretDoc | undefined;
  const username = secret?.broker_username ?? device.serial_number;
  const password = rekey ? randomBrokerPassword() : null;
  const brokerUpdated = await withBroker(async (broker) => {
    if (!broker) return false;
    await broker.removeDevice(device.serial_number);
    if (password) await broker.addDevice({ serial: device.serial_number, username, password });
    return true;
  });
  await r.secret(device.device_id).set(
    {
      broker_registered: brokerUpdated && password !== null,
      ...(password
        ? { broker_password_hash: hashRandomSecret(password, config.registry.claimCodePepper) }
        : {}),
      updated_at: Timestamp.now(),
    },
    { merge: true },
  );
  return {
    revoked: true,
    broker_updated: brokerUpdated,
    ...(password ? { broker_username: username, broker_password: password } : {}),
  };
}

/** Emails the device's owner (or the given account) the link that reopens setup for this unit. */
async function resendSetupLink(
  db: Firestore,
  auth: Auth,
  device: DeviceDoc,
  email?: string,
): Promise<Result> {
  const user = email
    ? await auth.getUserByEmail(email).catch(() => null)
    : device.owner_uid
      ? await auth.getUser(device.owner_uid).catch(() => null)
      : null;
  if (!user) {
    throw new RegistryError(
      404,
      'user_not_found',
      email ? `No account uses ${email}.` : 'The device has no owner; give an email.',
    );
  }
  const link = setupUrl(config.appUrl, { serial: device.serial_number, type: device.device_type });
  const language =
    ((await db.doc(firestorePaths.notificationSettings(user.uid)).get()).get('language') as
      | 'th'
      | 'en'
      | undefined) ?? 'th';
  await queueSupportMail(db, null, { uid: user.uid, email: user.email ?? null, language }, device.device_id, {
    kind: 'setup_link',
    link,
    ticket_number: null,
    subject: null,
    excerpt: null,
    serial_number: device.serial_number,
  });
  return { sent_to: user.email ?? null, setup_url: link };
}
