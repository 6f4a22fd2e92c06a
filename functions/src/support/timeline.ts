import {
  TIMELINE_CURSOR_PREFIX,
  type TimelineEvent,
  type TimelineKind,
  type TimelineResponse,
} from '@esp32cloud/protocol';
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
//
// Order is time descending (to the nanosecond the source stored), then event id descending: the order each
// source's query already has (Firestore breaks ties of a descending field by document name, descending). A
// page ends inside a millisecond as often as not (a batch of log lines shares one), so the cursor is the last
// event's exact time and id plus how many events at exactly that time were shown: the next page asks each
// source for documents up to and including that time, that many more of them, and drops what was shown.

interface Timed {
  event: TimelineEvent;
  /** Nanoseconds since the epoch. */
  key: bigint;
}

type Source = (bound: Timestamp, limit: number) => Promise<Timed[]>;

const NANOS = 1_000_000_000n;

function keyOf(value: unknown): bigint {
  if (value instanceof Timestamp) return BigInt(value.seconds) * NANOS + BigInt(value.nanoseconds);
  const text = iso(value);
  return text ? BigInt(Date.parse(text)) * 1_000_000n : 0n;
}

const at = (value: unknown) => iso(value) ?? new Date(0).toISOString();

function page(query: Query, field: string, bound: Timestamp, limit: number) {
  return query.where(field, '<=', bound).orderBy(field, 'desc').limit(limit).get();
}

export async function deviceTimeline(
  db: Firestore,
  deviceId: string,
  before: string | undefined,
  limit: number,
): Promise<TimelineResponse> {
  const id = safeDocId(deviceId, 'device');
  if (!(await refs(db).device(id).get()).exists)
    throw new RegistryError(404, 'not_found', `No device ${id}.`);
  const cursor = parseCursor(before);
  const bound = new Timestamp(Number(cursor.key / NANOS), Number(cursor.key % NANOS));
  const sources = timelineSources(db, id);
  const lists = await Promise.all(sources.map((source) => source(bound, limit + cursor.shown)));
  const page = lists
    .flat()
    .filter((timed) => isAfterCursor(timed, cursor))
    .sort(byTimelineOrder)
    .slice(0, limit);
  const events = page.map((timed) => timed.event);
  if (page.length < limit) return { events, next_before: null };
  const last = page[page.length - 1];
  const shown =
    page.filter((timed) => timed.key === last.key).length + (last.key === cursor.key ? cursor.shown : 0);
  return { events, next_before: encodeCursor({ k: last.key.toString(), id: last.event.id, n: shown }) };
}

const byTimelineOrder = (a: Timed, b: Timed) =>
  a.key === b.key ? b.event.id.localeCompare(a.event.id) : a.key < b.key ? 1 : -1;

interface Cursor {
  /** Sources read documents at or before this time (ns since the epoch). */
  key: bigint;
  /** The last shown event's id; null: everything at or before `key` is new. */
  id: string | null;
  /** Events at exactly `key` already shown. */
  shown: number;
}

interface CursorBody {
  k: string;
  id: string;
  n: number;
}

function encodeCursor(body: CursorBody): string {
  return TIMELINE_CURSOR_PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url');
}

const badCursor = () =>
  new RegistryError(400, 'invalid_argument', 'before is not a cursor this API returned.');

function parseCursor(before: string | undefined): Cursor {
  if (!before) return { key: BigInt(Date.now() + 60_000) * 1_000_000n, id: null, shown: 0 };
  if (!before.startsWith(TIMELINE_CURSOR_PREFIX)) {
    // A plain time: everything strictly older (an id that sorts before every id drops events at that time).
    return { key: BigInt(Date.parse(before)) * 1_000_000n, id: '', shown: 0 };
  }
  let body: CursorBody;
  try {
    body = JSON.parse(Buffer.from(before.slice(TIMELINE_CURSOR_PREFIX.length), 'base64url').toString());
  } catch {
    throw badCursor();
  }
  if (
    typeof body?.k !== 'string' ||
    !/^\d{1,25}$/.test(body.k) ||
    typeof body.id !== 'string' ||
    !Number.isInteger(body.n) ||
    body.n < 1 ||
    body.n > 10_000
  ) {
    throw badCursor();
  }
  return { key: BigInt(body.k), id: body.id, shown: body.n };
}

function isAfterCursor(timed: Timed, cursor: Cursor): boolean {
  if (cursor.id === null) return timed.key <= cursor.key;
  if (timed.key !== cursor.key) return timed.key < cursor.key;
  return timed.event.id.localeCompare(cursor.id) < 0;
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
  ): Timed => ({
    event: { id: `${kind}:${sourceId}`, kind, at: at(when), summary, actor, data },
    key: keyOf(when),
  });

  const statusChanges: Source = async (bound, limit) =>
    (await page(s.statusChanges(deviceId), 'at', bound, limit)).docs.map((doc) => {
      const d = doc.data();
      return event('status', doc.id, d.at, d.online ? 'came online' : 'went offline', null, {
        online: d.online,
        cause: d.cause ?? null,
      });
    });

  const commands: Source = async (bound, limit) =>
    (
      await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.commands), 'created_at', bound, limit)
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

  const acks: Source = async (bound, limit) =>
    (
      await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.commands), 'acked_at', bound, limit)
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

  const logs: Source = async (bound, limit) =>
    (await page(r.subcollection(deviceId, DEVICE_SUBCOLLECTIONS.logs), 'received_at', bound, limit)).docs.map(
      (doc) => {
        const d = doc.data();
        return event('log', doc.id, d.received_at, `[${d.level}] ${d.message}`, null, {
          level: d.level,
          message: d.message,
          fields: d.fields ?? null,
        });
      },
    );

  // A device has a handful of links and at most one pending transfer: read whole, filtered here.
  const links: Source = async (bound) =>
    (await r.linksOf(deviceId).get()).docs
      .map((doc) => doc.data() as UserDeviceDoc)
      .filter((link) => link.added_at instanceof Timestamp && keyOf(link.added_at) <= keyOf(bound))
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

  const transfer: Source = async (bound) => {
    const doc = (await r.transfer(deviceId).get()).data() as TransferDoc | undefined;
    if (!doc || keyOf(doc.created_at) > keyOf(bound)) return [];
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

  const alerts: Source = async (bound, limit) => {
    const snap = await s
      .alerts()
      .where('device_id', '==', deviceId)
      .where('fired_at', '<=', new Date(bound.toMillis()).toISOString())
      .orderBy('fired_at', 'desc')
      .limit(limit)
      .get();
    return snap.docs.map((doc) => {
      const d = doc.data();
      return event(
        'alert',
        doc.id,
        d.fired_at,
        `${d.severity ?? 'alert'}: ${d.condition?.kind ?? 'rule'}${d.resolved_at ? ' (resolved)' : ''}`,
        null,
        {
          alert_id: doc.id,
          rule_id: d.rule_id,
          severity: d.severity,
          condition: d.condition,
          resolved_at: d.resolved_at,
        },
      );
    });
  };

  const tickets: Source = async (bound, limit) =>
    (await page(s.tickets().where('device_id', '==', deviceId), 'created_at', bound, limit)).docs.map(
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

  const audit: Source = async (bound, limit) =>
    (await page(s.audit().where('device_id', '==', deviceId), 'at', bound, limit)).docs.map((doc) => {
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
