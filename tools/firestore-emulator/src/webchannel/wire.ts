// The WebChannel wire format, version 8, as closure's goog.labs.net.webChannel client speaks it (the client
// bundled in @firebase/webchannel-wrapper). Forward channel: form-encoded POST bodies
// `[headers=<encoded>&]count=N&ofs=K&req0___data__=<json>&req1___data__=...`, each reqI being map id K+I.
// Back channel (and every POST response): chunks `<length>\n<json>`, where the length counts UTF-16 code units
// because the client slices XMLHttpRequest.responseText (a JS string) with it.

export const CHANNEL_VERSION = 8;
/** Server version reported in the handshake ("SVER"); the client only records it. */
export const SERVER_VERSION = 14;

/** One application message from the client, with its map id. */
export interface ForwardMap {
  id: number;
  /** The raw JSON text of the message (sendRawJson: the SDK sends `__data__` holding JSON). */
  data: string;
}

export interface ForwardBody {
  maps: ForwardMap[];
  /** Headers the SDK moved into the body (encodeInitMessageHeaders) to avoid a CORS preflight. */
  headers: Record<string, string>;
}

/** Parses a forward-channel POST body. Throws on a body that is not WebChannel form data. */
export function parseForwardBody(body: string): ForwardBody {
  const params = new URLSearchParams(body);
  const headers = parseEncodedHeaders(params.get('headers') ?? '');
  const countText = params.get('count');
  if (countText === null) return { maps: [], headers };
  const count = Number(countText);
  const offset = Number(params.get('ofs') ?? '0');
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(offset) || offset < 0) {
    throw new Error(`bad count/ofs (${countText}/${params.get('ofs')})`);
  }
  const maps: ForwardMap[] = [];
  for (let index = 0; index < count; index += 1) {
    const data = params.get(`req${index}___data__`);
    if (data === null) {
      // A map without raw JSON (a client not in sendRawJson mode, or a `_badmap`): nothing we can deliver.
      throw new Error(`map req${index} has no __data__`);
    }
    maps.push({ id: offset + index, data });
  }
  return { maps, headers };
}

/** `Name:value\r\n` lines, as goog.net.rpc.HttpCors encodes them, to a lower-cased header map. */
export function parseEncodedHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r\n|\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** One length-prefixed chunk. */
export function chunk(json: unknown): string {
  const text = JSON.stringify(json);
  return `${text.length}\n${text}`;
}

/** An array as the back channel carries it: `[arrayId, payload]`, where payload is `[message]` or a control. */
export type OutgoingArray = [number, unknown[]];

/**
 * The handshake array: ["c", SID, hostPrefix, VER, SVER, server keep-alive ms]. A host prefix makes the client
 * send its back channel GETs to `<prefix>.<host>` (the SDK allows cross-domain channel XHRs).
 */
export function handshakeArray(sessionId: string, keepAliveMs: number, hostPrefix = ''): OutgoingArray {
  return [0, ['c', sessionId, hostPrefix, CHANNEL_VERSION, SERVER_VERSION, keepAliveMs]];
}

/**
 * The forward channel POST response: [backChannelPresent, lastArrayIdSent, outstandingBytes]. The client
 * compares the second value with the last array it received to decide whether its back channel is dead.
 */
export function postResponse(
  backChannelPresent: boolean,
  lastArrayId: number,
  outstandingBytes: number,
): string {
  return chunk([backChannelPresent ? 1 : 0, lastArrayId, outstandingBytes]);
}
