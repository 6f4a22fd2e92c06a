import { commandIdSchema, firestorePaths, parseCommand } from '@esp32cloud/protocol';
import { z } from 'zod';
import { commandRelay } from '../commands/relay-instance.ts';
import { sendCommand } from '../commands/send.ts';
import { loadAccess, requireLevel } from '../devices/access.ts';
import { db } from '../firebase.ts';
import { badRequest } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { requireWritableDevice } from '../plans/enforce.ts';
import { backendProbes } from './health.ts';

// POST /api/devices/{deviceId}/control {command, ...params, id?}: an owner or controller sends a command.
// The command is validated against the device type, recorded (queued), published at QoS 1 to the device's
// control topic and marked sent; the device shadow's `desired` records what was asked. The bridge marks it
// acked when the device answers. A repeated `id` is idempotent: the recorded command is returned, not resent.

const controlBodySchema = z.looseObject({
  command: z.string().min(1).max(32),
  id: commandIdSchema.optional(),
});

export function registerControlRoutes(router: Router): void {
  backendProbes.mqtt = () => commandRelay().probe();

  router.add('POST', '/devices/:deviceId/control', {
    auth: 'required',
    scope: 'control',
    summary: 'Send a command to a device (e.g. switch a relay)',
    body: controlBodySchema,
    handler: async ({ params, body, caller }) => {
      // The caller is usually the owner: their user document (the plan) is read beside the device, in the
      // same round trip, instead of after it.
      const [access, callerUser] = await Promise.all([
        loadAccess(db, caller!, params.deviceId),
        db.doc(firestorePaths.user(caller!.uid)).get(),
      ]);
      requireLevel(access, ['owner', 'controller']);
      const parsed = parseCommand(access.device.device_type, body);
      if (!parsed.ok) throw badRequest(`Invalid command: ${parsed.error}`);
      await requireWritableDevice(db, access.device, callerUser);
      const sent = await sendCommand(access.device, parsed.value, caller!.uid, body.id);
      return { status: 202, body: sent };
    },
  });
}
