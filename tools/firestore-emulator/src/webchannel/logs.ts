import type { WebChannelOptions } from './config.ts';

// Debug log lines of the WebChannel transport: one JSON object per line, one line per session event, so a
// browser protocol problem can be followed session by session. Header values (tokens) are never logged.

export type SessionEvent =
  | 'session.open'
  | 'session.backchannel'
  | 'session.error'
  | 'session.end'
  | 'session.terminate'
  | 'session.expire'
  | 'request.unknown-sid'
  | 'request.bad';

export function logSession(
  options: WebChannelOptions,
  event: SessionEvent,
  fields: Record<string, string | number | boolean | undefined>,
): void {
  if (!options.debug) return;
  options.log(JSON.stringify({ component: 'firestore-webchannel', event, ...fields }));
}
