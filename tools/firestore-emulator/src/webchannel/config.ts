// Tunables of the WebChannel transport, with the defaults a browser session uses.

export interface WebChannelOptions {
  /**
   * How often an idle streaming back channel gets a ["noop"], and the longest a long poll is held open.
   * Reported to the client in the handshake, which then treats 1.5× this as its back channel watchdog.
   */
  keepAliveMs: number;
  /** A session with no back channel and no forward request for this long is closed (the tab went away). */
  idleSessionMs: number;
  /** A streaming back channel is ended (the client reopens it) after this many characters, so no XHR grows forever. */
  maxStreamingChars: number;
  /** Log one line per session event (open, back channel, terminate, expiry, error). */
  debug: boolean;
  /** Where debug lines go. */
  log: (line: string) => void;
}

export function webChannelOptions(overrides: Partial<WebChannelOptions> = {}): WebChannelOptions {
  return {
    keepAliveMs: 25_000,
    idleSessionMs: 60_000,
    maxStreamingChars: 4 * 1024 * 1024,
    debug: process.env.FIRESTORE_EMULATOR_DEBUG === '1',
    log: (line) => process.stderr.write(`${line}\n`),
    ...overrides,
  };
}
