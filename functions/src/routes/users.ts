import { type ListDevicesResponse, type RenameResponse, renameBodySchema } from '@esp32cloud/protocol';
import { leaveDevice, releaseDevice } from '../claims/release.ts';
import { config } from '../config.ts';
import { touchLinks } from '../devices/access.ts';
import { summaryView } from '../devices/views.ts';
import { db } from '../firebase.ts';
import type { Caller } from '../http/auth.ts';
import { forbidden, notFound } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
import { type DeviceDoc, refs, type UserDeviceDoc } from '../shared/documents.ts';
import { releaseSettings } from '../shared/settings.ts';

// /api/users/{uid}/devices/**: a user's own devices. The uid in the path must be the caller's (operators may
// read anyone's list and release a device on its owner's behalf).

function requireSelf(caller: Caller, uid: string, operatorMay: boolean): void {
  if (caller.uid === uid || (operatorMay && caller.isOperator)) return;
  throw forbidden("You can only see and change your own account's devices.");
}

export function registerUserRoutes(router: Router): void {
  router.add('GET', '/users/:uid/devices', {
    auth: 'required',
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid, true);
      const linkDocs = await refs(db).linksFor(params.uid).get();
      // An API key limited to some devices lists only those; an organisation key only the owner's own
      // devices (docs/API.md).
      const keyDevices = caller!.apiKey?.deviceIds;
      const ownedOnly = Boolean(caller!.apiKey?.organisationId);
      const links = linkDocs.docs
        .map((doc) => doc.data() as UserDeviceDoc)
        .filter((link) => !keyDevices || keyDevices.includes(link.device_id))
        .filter((link) => !ownedOnly || link.access_level === 'owner');
      const deviceSnaps = links.length
        ? await db.getAll(...links.map((link) => refs(db).device(link.device_id)))
        : [];
      if (caller!.uid === params.uid) {
        await touchLinks(db, links, config.registry.lastAccessedResolutionSeconds);
      }
      const devices = links
        .map((link, i) =>
          deviceSnaps[i].exists ? summaryView(deviceSnaps[i].data() as DeviceDoc, link) : null,
        )
        .filter((d) => d !== null)
        .sort(
          (a, b) =>
            (a.added_at ?? '').localeCompare(b.added_at ?? '') || a.device_id.localeCompare(b.device_id),
        );
      const body: ListDevicesResponse = { devices };
      return { body };
    },
  });

  router.add('PATCH', '/users/:uid/devices/:deviceId', {
    auth: 'required',
    body: renameBodySchema,
    handler: async ({ params, caller, body }) => {
      requireSelf(caller!, params.uid, false);
      const ref = refs(db).link(params.uid, params.deviceId);
      const renamed = await db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        if (!snap.exists) return false;
        tx.update(ref, { device_name: body.device_name });
        // The device's copy of the owner's name (DeviceDoc.owner_device_name) follows the owner's link only.
        if ((snap.data() as UserDeviceDoc).access_level === 'owner') {
          tx.update(refs(db).device(params.deviceId), { owner_device_name: body.device_name });
        }
        return true;
      });
      if (!renamed) throw notFound(`No device ${params.deviceId} in your account.`);
      const reply: RenameResponse = { device_id: params.deviceId, device_name: body.device_name };
      return { body: reply };
    },
  });

  router.add('DELETE', '/users/:uid/devices/:deviceId', {
    auth: 'required',
    checkRevoked: true,
    handler: async ({ params, caller }) => {
      requireSelf(caller!, params.uid, true);
      const snap = await refs(db).link(params.uid, params.deviceId).get();
      if (!snap.exists) throw notFound(`No device ${params.deviceId} in your account.`);
      const link = snap.data() as UserDeviceDoc;
      if (link.access_level !== 'owner') {
        await leaveDevice(db, params.uid, params.deviceId);
        logs.deviceLeft(params.deviceId, params.uid);
        return { status: 204 };
      }
      const released = await releaseDevice(
        db,
        releaseSettings(),
        params.deviceId,
        params.uid,
        caller!.isOperator && caller!.uid !== params.uid,
      );
      logs.deviceReleased(params.deviceId, params.uid, caller!.uid !== params.uid);
      return { body: released, headers: { 'cache-control': 'no-store' } };
    },
  });
}
