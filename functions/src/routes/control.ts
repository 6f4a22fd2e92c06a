import {
  type ControlPayload,
  commandIdSchema,
  encodePayload,
  type ParsedCommand,
  parseCommand,
  topics,
} from '@esp32cloud/protocol';
import { type DocumentReference, Timestamp } from 'firebase-admin/firestore';
import { z } from 'zod';
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

type CommandStatus = 'queued' | 'sent' | 'acked' | 'failed';

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
      const commandRef = db.doc(`devices/${params.deviceId}/commands/${commandId}`);
      const created = await db.runTransaction(async (tx) => {
        const existing = await tx.get(commandRef);
        if (existing.exists) return { created: false, status: existing.get('status') as CommandStatus };
        tx.create(commandRef, {
          id: commandId,
          command: parsed.value.command,
          params: parsed.value.params,
          status: 'queued',
          requested_by: caller!.uid,
          created_at: Timestamp.now(),
        });
        return { created: true, status: 'queued' as CommandStatus };
      });
      if (!created.created) return { status: 202, body: { command_id: commandId, status: created.status } };

      await recordDesired(params.deviceId, commandId, parsed.value);
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
        await advanceIfQueued(commandRef, {
          status: 'failed',
          error: { code: 'broker_unavailable', message },
        });
        if (error instanceof RelayUnavailableError) {
          throw unavailable(
            'The device service is unreachable right now; the command was not sent. Try again.',
          );
        }
        throw error;
      }
      await advanceIfQueued(commandRef, { status: 'sent', sent_at: Timestamp.now() });
      return { status: 202, body: { command_id: commandId, status: 'sent' } };
    },
  });
}

/**
 * queued → sent | failed, only if still queued: a fast device's ack (written by the bridge) can land before
 * this request records that it sent the command, and must never be overwritten.
 */
async function advanceIfQueued(ref: DocumentReference, fields: Record<string, unknown>): Promise<void> {
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.get('status') === 'queued') tx.update(ref, fields);
  });
}

/** The device shadow's `desired`: the outputs the owner last asked for, merged field by field. */
async function recordDesired(deviceId: string, commandId: string, command: ParsedCommand): Promise<void> {
  if (Object.keys(command.desiredOutputs).length === 0) return;
  const ref = db.doc(`devices/${deviceId}`);
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const current = (snap.get('desired.outputs') as Record<string, unknown> | undefined) ?? {};
    tx.update(ref, {
      desired: {
        outputs: { ...current, ...command.desiredOutputs },
        updated_at: Timestamp.now(),
        command_id: commandId,
      },
    });
  });
}
