import {
  type ControlPayload,
  commandIdSchema,
  encodePayload,
  parseCommand,
  topics,
} from '@esp32cloud/protocol';
import { z } from 'zod';
import { markSendFailed, markSent, recordQueued } from '../commands/command-store.ts';
import { commandRelay, RelayUnavailableError } from '../commands/relay-instance.ts';
import { loadAccess, requireLevel } from '../devices/access.ts';
import { db } from '../firebase.ts';
import { ApiError, badRequest, unavailable } from '../http/errors.ts';
import type { Router } from '../http/router.ts';
import { logs } from '../logs.ts';
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
    body: controlBodySchema,
    handler: async ({ params, body, caller }) => {
      const access = await loadAccess(db, caller!, params.deviceId);
      requireLevel(access, ['owner', 'controller']);
      const device = access.device;
      const parsed = parseCommand(device.device_type, body);
      if (!parsed.ok) throw badRequest(`Invalid command: ${parsed.error}`);
      // Devices keep clean MQTT sessions (a relay must not switch hours later), so a command to an offline
      // device would be lost: say so at once instead of leaving the UI "switching…" forever.
      if (device.state?.online !== true) {
        throw new ApiError(
          409,
          'device_offline',
          'The device is offline. Check its power and Wi-Fi, then try again.',
        );
      }

      const commandId =
        body.id ?? `cmd_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
      const recorded = await recordQueued(db, params.deviceId, commandId, parsed.value, caller!.uid);
      if (!recorded.createdAt)
        return { status: 202, body: { command_id: commandId, status: recorded.status } };
      const createdAt = recorded.createdAt;
      const payload: ControlPayload = {
        ...parsed.value.params,
        v: 1,
        id: commandId,
        command: parsed.value.command,
      };
      try {
        await commandRelay().publish(topics.control(device.serial_number), encodePayload(payload));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logs.commandNotSent(params.deviceId, commandId, message);
        await markSendFailed(db, params.deviceId, commandId, createdAt);
        if (error instanceof RelayUnavailableError) {
          throw unavailable(
            'The device service is unreachable right now; the command was not sent. Try again.',
          );
        }
        throw error;
      }
      await markSent(db, params.deviceId, commandId, createdAt);
      return { status: 202, body: { command_id: commandId, status: 'sent' } };
    },
  });
}
