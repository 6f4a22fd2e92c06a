import type { TimelineEvent, TimelineKind, TimelineResponse } from '@esp32cloud/protocol';
import { type Firestore, type Query, Timestamp } from 'firebase-admin/firestore';
import {
  DEVICE_SUBCOLLECTIONS,
  iso,
  refs,
  type TransferDoc,
  type UserDeviceDoc,
} from '../shared/documents.ts';
import { RegistryError } from '../shared/errors.ts';
import { type AuditDoc, supportRefs, type TicketDoc } from './documents.ts';
import { safeDocId } from './validation.ts';

// One timeline per device, merged newest first from where each kind of event already lives: presence changes
// (devices/{id}/status_changes, the bridge's status-history feature), commands and their acks
// (devices/{id}/commands), device logs (devices/{id}/logs), claims and shares (the user_devices links),
// a pending transfer, alerts, tickets and operator actions (support_audit). Each source is read with the same
// `before` cursor and `limit`, so a page costs at most `limit` documents per source whatever the history's
// length; the merged page keeps the newest `limit`.

type Source = (before: Timestamp, limit: number) => Promise<TimelineEvent[]>;

const at = (value: unknown) => iso(value) ?? new Date(0).toISOString();

function page(query: Query, field: string, before: Timestamp, limit: number) {
  return query.where(field, '<', before).orderBy(field, 'desc').limit(limit).get();
}

export async function deviceTimeline(
  db: Firestore,
  deviceId: string,
  beforeIso: string | undefined,
  limit: number,
): Promise<TimelineResponse> {
  const id = safeDocId(deviceId, 'device');
  if (!(await refs(db).device(id).get()).exists)
    throw new RegistryError(404, 'not_found', `No device ${id}.`);
  const before = beforeIso
    ? Timestamp.fromDate(new Date(beforeIso))
    : Timestamp.fromMillis(Date.now() + 60_000);
  const sources = timelineSources(db, id);
  const lists = await Promise.all(sources.map((source) => source(before, limit)));
  const events = lists
    .flat()
    .sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? 1 : -1))
    .slice(0, limit);
  const more = events.length === limit;
  return { events, next_before: more ? events[events.length - 1].at : null };
}

function timelineSources(db: Firestore, deviceId: string): Source[] {
  const r = refs(db);
  const s = supportRefs(db);
  const event = (
    kind: TimelineKind,
    sourceId: string,
    when: unknown,
    summary: string,
    actor: string | null,
    data: Record<string, unknown>,
  ): TimelineEvent => ({ id: `${kind}:${sourceId}`, kind, at: at(when), summary, actor, data });

  const statusChanges: Source = async (before, limit) =>
    (await page(s.statusChanges(deviceId), 'at', before, limit)).docs.map((doc) => {
      const d = doc.data();
      return event('status', doc.id, d.at, d.online ? 'came online' : 'went offline', null, {
        online: d.online,
        cause: d.cause ?? null,
      });
    });

  const commands: Source = async (before, limit) =>
    (
      await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.commands), 'created_at', before, limit)
    ).docs.map((doc) => {
      const d = doc.data();
      return event('command', doc.id, d.created_at, `${d.command} → ${d.status}`, d.requested_by ?? null, {
        command_id: d.id,
        command: d.command,
        params: d.params ?? {},
        status: d.status,
        error: d.error ?? null,
      });
    });

  const acks: Source = async (before, limit) =>
    (
      await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.commands), 'acked_at', before, limit)
    ).docs.map((doc) => {
      const d = doc.data();
      const ok = d.status === 'acked';
      return event(
        'ack',
        doc.id,
        d.acked_at,
        `${d.command} ${ok ? 'acknowledged' : `failed: ${d.error?.code ?? 'error'}`}`,
        null,
        {
          command_id: d.id,
          ok,
          result: d.result ?? null,
          error: d.error ?? null,
        },
      );
    });

  const logs: Source = async (before, limit) =>
    (
      await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.logs), 'received_at', before, limit)
    ).docs.map((doc) => {
      const d = doc.data();
      return event('log', doc.id, d.received_at, `[${d.level}] ${d.message}`, null, {
        level: d.level,
        message: d.message,
        fields: d.fields ?? null,
      });
    });

  // A device has a handful of links and at most one pending transfer: read whole, filtered here.
  const links: Source = async (before) =>
    (await r.linksOf(deviceId).get()).docs
      .map((doc) => doc.data() as UserDeviceDoc)
      .filter((link) => link.added_at instanceof Timestamp && link.added_at < before)
      .map((link) =>
        event(
          link.access_level === 'owner' ? 'claim' : 'share',
          link.user_id,
          link.added_at,
          link.access_level === 'owner'
            ? 'owner linked (claim or transfer)'
            : `shared as ${link.access_level}`,
          link.user_id,
          { uid: link.user_id, access_level: link.access_level, device_name: link.device_name },
        ),
      );

  const transfer: Source = async (before) => {
    const doc = (await r.transfer(deviceId).get()).data() as TransferDoc | undefined;
    if (!doc || !(doc.created_at < before)) return [];
    return [
      event(
        'transfer',
        'pending',
        doc.created_at,
        `transfer offered to ${doc.to_email ?? doc.to_uid}`,
        doc.from_uid,
        {
          to_uid: doc.to_uid,
          to_email: doc.to_email,
          expires_at: iso(doc.expires_at),
        },
      ),
    ];
  };

  const alerts: Source = async (before, limit) => {
    const snap = await s
      .alerts()
      .where('device_id', '==', deviceId)
      .where('fired_at', '<', before.toDate().toISOString())
      .orderBy('fired_at', 'desc')
      .limit(limit)
      .get();
    return snap.docs.map((doc) => {
      const d = doc.data();
      return {
        id: `alert:${doc.id}`,
        kind: 'alert' as const,
        at: d.fired_at as string,
        summary: `${d.severity ?? 'alert'}: ${d.condition?.kind ?? 'rule'}${d.resolved_at ? ' (resolved)' : ''}`,
        actor: null,
        data: {
          alert_id: doc.id,
          rule_id: d.rule_id,
          severity: d.severity,
          condition: d.condition,
          resolved_at: d.resolved_at,
        },
      };
    });
  };

  const tickets: Source = async (before, limit) =>
    (await page(s.tickets().where('device_id', '==', deviceId), 'created_at', before, limit)).docs.map(
      (doc) => {
        const d = doc.data() as TicketDoc;
        return event(
          'ticket',
          doc.id,
          d.created_at,
          `ticket #${d.number} opened: ${d.subject}`,
          d.customer_uid,
          {
            ticket_id: d.ticket_id,
            number: d.number,
            status: d.status,
          },
        );
      },
    );

  const audit: Source = async (before, limit) =>
    (await page(s.audit().where('device_id', '==', deviceId), 'at', before, limit)).docs.map((doc) => {
      const d = doc.data() as AuditDoc;
      const kind: TimelineKind =
        d.action === 'transfer'
          ? 'transfer'
          : d.action === 'release' || d.action === 'reissue_claim_code'
            ? 'claim'
            : 'audit';
      return event(
        kind,
        `audit-${doc.id}`,
        d.at,
        `operator ${d.action} (${d.outcome}): ${d.reason}`,
        d.actor_email ?? d.actor_uid,
        {
          action: d.action,
          outcome: d.outcome,
          reason: d.reason,
          audit_id: d.entry_id,
        },
      );
    });

  return [statusChanges, commands, acks, logs, links, transfer, alerts, tickets, audit];
}
