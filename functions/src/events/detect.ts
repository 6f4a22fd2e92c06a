import type { WebhookEvent } from '@esp32cloud/protocol';

// Which platform events a document change is (docs/API.md, "Event webhooks"). Pure functions of the
// before/after data of the documents the triggers watch, so the rules are tested without an emulator.

type Data = Record<string, unknown> | null | undefined;

export interface DetectedEvent {
  event: WebhookEvent;
  /** The customer whose endpoints hear it; null: the device's current owner (looked up once). */
  uid: string | null;
  data: Record<string, unknown>;
}

const iso = (value: unknown): string | null => {
  if (value && typeof (value as { toDate?: unknown }).toDate === 'function')
    return (value as { toDate(): Date }).toDate().toISOString();
  return typeof value === 'string' ? value : null;
};

/** devices/{id}/status_changes/{changeId} created (written by the bridge only on a presence change). */
export function presenceEvents(after: Data): DetectedEvent[] {
  if (!after || typeof after.online !== 'boolean') return [];
  const data = { online: after.online, previous: after.previous ?? null, at: iso(after.at) };
  return [
    { event: after.online ? 'device.online' : 'device.offline', uid: null, data },
    { event: 'device.status_changed', uid: null, data },
  ];
}

/** user_devices/{uid}_{deviceId} written: an owner link appearing is a claim, one going away a release. */
export function ownershipEvents(before: Data, after: Data): DetectedEvent[] {
  const wasOwner = before?.access_level === 'owner';
  const isOwner = after?.access_level === 'owner';
  if (!wasOwner && isOwner)
    return [{ event: 'device.claimed', uid: String(after!.user_id), data: { owner_uid: after!.user_id } }];
  if (wasOwner && !isOwner)
    return [
      { event: 'device.released', uid: String(before!.user_id), data: { former_owner_uid: before!.user_id } },
    ];
  return [];
}

/** devices/{id}/commands/{commandId} written: the command reaching acked or failed. */
export function commandEvents(before: Data, after: Data): DetectedEvent[] {
  const status = after?.status;
  if (status === before?.status || (status !== 'acked' && status !== 'failed')) return [];
  return [
    {
      event: status === 'acked' ? 'command.acked' : 'command.failed',
      uid: null,
      data: {
        command_id: after!.id ?? null,
        command: after!.command ?? null,
        params: after!.params ?? {},
        status,
        result: after!.result ?? null,
        error: after!.error ?? null,
        requested_by: after!.requested_by ?? null,
      },
    },
  ];
}

/** alerts/{alertId} written by the bridge: created is fired, resolved_at set is resolved. */
export function alertEvents(before: Data, after: Data): DetectedEvent[] {
  if (!after) return [];
  const facts = {
    alert_id: after.alert_id ?? null,
    rule_id: after.rule_id ?? null,
    rule_name: after.rule_name ?? null,
    severity: after.severity ?? null,
    condition: after.condition ?? null,
    value: after.value ?? null,
    fired_at: after.fired_at ?? null,
    resolved_at: after.resolved_at ?? null,
  };
  if (!before) return [{ event: 'alert.fired', uid: null, data: facts }];
  if (!before.resolved_at && after.resolved_at) return [{ event: 'alert.resolved', uid: null, data: facts }];
  return [];
}
