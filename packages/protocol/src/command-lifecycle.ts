// The life of one control command, owned once (docs/DATA_MODEL.md, devices/{id}/commands/{commandId}):
//
//   (created) ──send──▶ sent ──ack──▶ acked
//                         │   └─ack(ok:false)─▶ failed
//                         ├─timeout──▶ failed (error.code "timeout": the outcome "timed_out")
//                         └─send failed──▶ failed (error.code "broker_unavailable")
//
// The API (functions) creates the document as sent just before it publishes (functions/src/commands/
// command-store.ts tells why in one write) and records a send failure; the bridge records acks and timeouts;
// the web app follows the document. Every writer applies an event only from the statuses listed here, so
// writes that race (a fast ack before the API records a send failure, an ack handled by another bridge
// instance) settle the same way whoever wins; the bridge writes an ack without reading first, since the one
// status it may not follow, acked, means a redelivery of the same answer. `queued` (recorded, not yet published) is what earlier versions
// wrote first; such documents are still ended by acks and timeouts. A timed-out command is stored as status "failed" with
// error code "timeout" so older documents and readers keep working; commandOutcome() names it.

export const COMMAND_STATUSES = ['queued', 'sent', 'acked', 'failed'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** What a reader makes of a command: still on its way, or how it ended. */
export type CommandOutcome = 'pending' | 'acked' | 'failed' | 'timed_out';

export const COMMAND_ERROR_CODES = {
  /** The API could not reach the broker; the command never left. */
  brokerUnavailable: 'broker_unavailable',
  /** No ack within COMMAND_TIMEOUT_MS (written by the bridge). */
  timeout: 'timeout',
  /** The device could not read the command. */
  invalidPayload: 'invalid_payload',
  /** The device read the command and refused it (unknown command, bad parameters). */
  invalidCommand: 'invalid_command',
  /** The device reported a failure of its own, or a code this version does not know. */
  deviceError: 'device_error',
} as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[keyof typeof COMMAND_ERROR_CODES];

/**
 * The only messages a command document ever carries. Every viewer of a device can read its commands, so no
 * text from the broker, the relay or the device itself is stored: the writer logs that detail on its own side
 * (functions logs, bridge log) and stores the code with its fixed message. The web app translates by code.
 */
export const COMMAND_ERROR_MESSAGES: Readonly<Record<CommandErrorCode, string>> = {
  broker_unavailable: 'The device service could not be reached; the command was not sent.',
  timeout: 'The device did not answer in time.',
  invalid_payload: 'The device could not read the command.',
  invalid_command: 'The device refused the command.',
  device_error: 'The device reported an error.',
};

/** A device's (untrusted) error code → one of ours; anything else becomes device_error. */
export function safeCommandError(code: unknown): CommandError {
  const known = (Object.values(COMMAND_ERROR_CODES) as string[]).includes(code as string)
    ? (code as CommandErrorCode)
    : COMMAND_ERROR_CODES.deviceError;
  // A device may not claim the API's or the bridge's verdicts.
  const safe: CommandErrorCode =
    known === COMMAND_ERROR_CODES.brokerUnavailable || known === COMMAND_ERROR_CODES.timeout
      ? COMMAND_ERROR_CODES.deviceError
      : known;
  return { code: safe, message: COMMAND_ERROR_MESSAGES[safe] };
}

/** How long the bridge waits for a device's ack before marking the command timed out. */
export const COMMAND_TIMEOUT_MS = 30_000;
/**
 * How long the web app waits for a verdict before telling the user the device did not answer by itself: the
 * bridge's timeout plus slack for its write to arrive, so the app shows the bridge's verdict when there is one.
 */
export const COMMAND_ANSWER_DEADLINE_MS = COMMAND_TIMEOUT_MS + 5_000;

export type CommandEvent = 'send' | 'sendFailed' | 'ack' | 'timeout';

/** The statuses each event may be applied from. */
export const COMMAND_TRANSITIONS: Record<CommandEvent, readonly CommandStatus[]> = {
  /** The API publishes the command (the status it is created with; `queued` from earlier versions). */
  send: ['queued'],
  /** The API could not publish it. Never over an ack that landed first. */
  sendFailed: ['queued', 'sent'],
  /** The device answered. A late answer still wins over a timeout: it says what the device really did. */
  ack: ['queued', 'sent', 'failed'],
  /** Nobody answered in time. */
  timeout: ['queued', 'sent'],
};

/** Whether `event` may be applied to a command whose stored status is `status` (unknown statuses: no). */
export function mayApply(event: CommandEvent, status: unknown): boolean {
  return (COMMAND_TRANSITIONS[event] as readonly unknown[]).includes(status);
}

export function isCommandStatus(value: unknown): value is CommandStatus {
  return (COMMAND_STATUSES as readonly unknown[]).includes(value);
}

export interface CommandError {
  code: string;
  message: string;
}

/**
 * The fields of a command document. `T` is the SDK's timestamp type (Admin or web), so each writer keeps
 * its own Timestamp class while the field names stay these.
 */
export interface CommandDoc<T> {
  id: string;
  command: string;
  params: Record<string, unknown>;
  status: CommandStatus;
  requested_by: string;
  created_at: T;
  sent_at?: T;
  acked_at?: T;
  failed_at?: T;
  result?: Record<string, unknown> | null;
  error?: CommandError;
}

/** The field updates of each event, so every writer writes the same names. */
export const commandUpdates = {
  send: <T>(at: T) => ({ status: 'sent' as const, sent_at: at }),
  /** The relay's own error text goes to the functions log, never here. */
  sendFailed: () => ({
    status: 'failed' as const,
    error: {
      code: COMMAND_ERROR_CODES.brokerUnavailable,
      message: COMMAND_ERROR_MESSAGES.broker_unavailable,
    },
  }),
  ack: <T>(
    ack: { ok: true; result?: Record<string, unknown> } | { ok: false; error: CommandError },
    at: T,
  ) =>
    ack.ok
      ? { status: 'acked' as const, result: ack.result ?? null, acked_at: at }
      : { status: 'failed' as const, error: safeCommandError(ack.error.code), acked_at: at },
  timeout: <T>(timeoutMs: number, at: T) => ({
    status: 'failed' as const,
    error: {
      code: COMMAND_ERROR_CODES.timeout,
      message: `The device did not answer within ${Math.round(timeoutMs / 1000)} s.`,
    },
    failed_at: at,
  }),
};

/**
 * Reads a stored command: `acked_at` is written only when the device answered, so it wins over a `queued` or
 * `sent` status (the API's "sent" write may land after a fast device's ack).
 */
export function commandOutcome(doc: {
  status?: unknown;
  acked_at?: unknown;
  error?: unknown;
}): CommandOutcome {
  const status = isCommandStatus(doc.status) ? doc.status : 'queued';
  const code = errorCode(doc.error);
  if (status === 'acked') return 'acked';
  if (status === 'failed') return code === COMMAND_ERROR_CODES.timeout ? 'timed_out' : 'failed';
  if (doc.acked_at) return doc.error ? 'failed' : 'acked';
  return 'pending';
}

function errorCode(error: unknown): string | undefined {
  return error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}
