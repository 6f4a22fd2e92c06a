import {
  type ClaimWindowFields,
  type CreateDeviceResponse,
  configUpdateEnvelopeSchema,
  configUpdateSchema,
  createDeviceBodySchema,
  labelClaimOpen,
  type ReissueClaimCodeResponse,
  registerBodySchema,
  setupUrl,
  type ValidateResponse,
  validateQuerySchema,
  validateSerial,
} from '@esp32cloud/protocol';
import { Timestamp } from 'firebase-admin/firestore';
import { claimDevice } from '../claims/claim.ts';
import { reissueClaimCode } from '../claims/release.ts';
import { config } from '../config.ts';
import { loadAccess, requireLevel, touchLinks } from '../devices/access.ts';
import { configView, statusView } from '../devices/views.ts';
import { db } from '../firebase.ts';
import { ApiError, forbidden, tooManyRequests } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { parseInput } from '../http/validate.ts';
import { logs } from '../logs.ts';
import { decommissionDevice } from '../provisioning/decommission.ts';
import { provisionOne } from '../provisioning/provisioning.ts';
import { withBroker } from '../provisioning/with-broker.ts';
import {
  type DeviceConfigDoc,
  type DeviceDoc,
  type DeviceSecretDoc,
  refs,
  type SerialDoc,
} from '../shared/documents.ts';
import { consume, rateLimitKey } from '../shared/rate-limits.ts';
import { claimSettings, releaseSettings, validateWindow } from '../shared/settings.ts';

// /api/devices/**: validate a serial, claim a device, read its status, change its config; operators create
// devices and reissue claim codes. The domain work lives in ../registry.

/** What the setup page may tell anyone about a serial: whether its label would claim it now. */
function availability(device: DeviceDoc, claim: ClaimWindowFields): ValidateResponse['availability'] {
  if (labelClaimOpen(device.status, claim, Date.now()).open) return 'available';
  return device.status === 'available' ? 'reset_required' : 'taken';
}

export function registerDeviceRoutes(router: Router): void {
  router.add('GET', '/devices/validate', {
    auth: 'none',
    query: validateQuerySchema,
    handler: async ({ query, ip }) => {
      if (!(await consume(db, rateLimitKey('validate-ip', ip), validateWindow()))) {
        throw tooManyRequests('Too many serial number checks from this address. Try again in a minute.');
      }
      const check = validateSerial(query.sn);
      if (!check.ok) throw new ApiError(400, 'invalid_serial', check.message);
      const serialSnap = await refs(db).serial(check.serial).get();
      const deviceSnap = serialSnap.exists
        ? await refs(db)
            .device((serialSnap.data() as SerialDoc).device_id)
            .get()
        : null;
      const device = deviceSnap?.exists ? (deviceSnap.data() as DeviceDoc) : null;
      const secret =
        device === null
          ? null
          : ((await refs(db).secret(device.device_id).get()).data() as DeviceSecretDoc | undefined);
      const body: ValidateResponse = {
        serial_number: check.serial,
        valid_format: true,
        exists: device !== null,
        ...(device
          ? {
              device_type: device.device_type,
              availability: availability(device, secret ?? {}),
            }
          : {}),
      };
      return { body, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('POST', '/devices/register', {
    auth: 'required',
    body: registerBodySchema,
    handler: async ({ body, caller, ip }) => {
      if (body.user_id !== undefined && body.user_id !== caller!.uid) {
        throw forbidden('user_id must be your own account; it is taken from your sign-in.');
      }
      const result = await claimDevice(db, claimSettings(), {
        uid: caller!.uid,
        serialNumber: body.serial_number,
        claimCode: body.claim_code,
        deviceName: body.device_name,
        ip,
      });
      logs.deviceClaimed(result.body.device_id, caller!.uid, result.status === 200);
      return { status: result.status, body: result.body };
    },
  });

  router.add('GET', '/devices/:deviceId/status', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      const access = await loadAccess(db, caller!, params.deviceId);
      if (access.link) await touchLinks(db, [access.link], config.registry.lastAccessedResolutionSeconds);
      return { body: statusView(access.device, access.link) };
    },
  });

  router.add('GET', '/devices/:deviceId/config', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      await loadAccess(db, caller!, params.deviceId);
      const snap = await refs(db).config(params.deviceId).get();
      return { body: configView(snap.data() as DeviceConfigDoc) };
    },
  });

  router.add('PUT', '/devices/:deviceId/config', {
    auth: 'required',
    body: configUpdateEnvelopeSchema,
    handler: async ({ params, caller, body }) => {
      const access = await loadAccess(db, caller!, params.deviceId);
      requireLevel(access, ['owner']);
      const update = parseInput(configUpdateSchema(access.device.device_type), body, 'request body');
      const ref = refs(db).config(params.deviceId);
      // update() replaces each given top-level field whole: custom_settings is replaced, not merged key by key.
      await ref.update({ ...update, updated_at: Timestamp.now() });
      const snap = await ref.get();
      return { body: configView(snap.data() as DeviceConfigDoc) };
    },
  });

  router.add('POST', '/devices', {
    auth: 'required',
    operatorOnly: true,
    body: createDeviceBodySchema,
    handler: async ({ body, caller }) => {
      const device = await withBroker((broker) =>
        provisionOne(
          db,
          { ...releaseSettings(), broker },
          {
            deviceType: body.device_type,
            firmwareVersion: body.firmware_version,
            serial: body.serial_number,
            batchId: body.batch_id,
          },
        ),
      );
      logs.deviceCreated(device.device_id, caller!.uid, device.broker_registered);
      const reply: CreateDeviceResponse = { ...device, status: 'available' };
      return { status: 201, body: reply, headers: { 'cache-control': 'no-store' } };
    },
  });

  router.add('DELETE', '/devices/:deviceId', {
    auth: 'required',
    operatorOnly: true,
    handler: async ({ params, caller }) => {
      await withBroker((broker) => decommissionDevice(db, params.deviceId, broker));
      logs.deviceDecommissioned(params.deviceId, caller!.uid);
      return { status: 204 };
    },
  });

  router.add('POST', '/devices/:deviceId/claim-code', {
    auth: 'required',
    operatorOnly: true,
    handler: async ({ params, caller }) => {
      const settings = releaseSettings();
      const { device, claimCode } = await reissueClaimCode(db, settings, params.deviceId);
      logs.claimCodeReissued(device.device_id, caller!.uid);
      const reply: ReissueClaimCodeResponse = {
        device_id: device.device_id,
        serial_number: device.serial_number,
        claim_code: claimCode,
        setup_url: setupUrl(settings.appUrl, {
          serial: device.serial_number,
          claimCode,
          type: device.device_type,
        }),
      };
      return { body: reply, headers: { 'cache-control': 'no-store' } };
    },
  });
}
