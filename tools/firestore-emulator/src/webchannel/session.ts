import type { ServerResponse } from 'node:http';
import type protobuf from 'protobufjs';
import { codeNames } from '../errors.ts';
import type { BackendStream, StreamMethod, StreamStatus } from './backend.ts';
import type { WebChannelOptions } from './config.ts';
import { fromProto3Json, toProto3Json } from './json-codec.ts';
import { logSession } from './logs.ts';
import type { ForwardMap } from './wire.ts';

// One browser WebChannel session: one Listen or Write stream of the core, the server→client arrays not yet
// acknowledged by the client (it acknowledges with AID on every request), and at most one back channel (a
// hanging GET) through which they flow. Arrays are numbered from 1 (0 was the handshake); a new back channel
// resends everything after the AID it carries, so a dropped GET loses nothing.

interface QueuedArray {
  id: number;
  /** JSON text of [id, payload]. */
  text: string;
}

class BackChannel {
  chars = 0;
  timer: NodeJS.Timeout | null = null;
  constructor(
    readonly response: ServerResponse,
    /** Streaming (CI=0): chunks keep flowing on one response. Long poll (CI=1): one batch, then the response ends. */
    readonly streaming: boolean,
    /** Highest array id written to this response. */
    public lastWrittenId: number,
    readonly holdMs: number,
  ) {}
}

export interface SessionTypes {
  request: protobuf.Type;
  response: protobuf.Type;
}

export class Session {
  private readonly queue: QueuedArray[] = [];
  private nextArrayId = 1;
  private lastForwardMapId = -1;
  /** Highest array id written to any back channel. */
  private lastWritten = 0;
  private back: BackChannel | null = null;
  private stream: BackendStream | null = null;
  private streamEnded = false;
  private lastActivity = Date.now();
  private flushScheduled = false;
  private messagesIn = 0;
  private messagesOut = 0;
  closed = false;

  constructor(
    readonly id: string,
    readonly method: StreamMethod,
    readonly database: string,
    private readonly types: SessionTypes,
    private readonly options: WebChannelOptions,
    private readonly onClosed: (session: Session) => void,
  ) {}

  attachStream(stream: BackendStream): void {
    if (this.closed || this.streamEnded) stream.close();
    else this.stream = stream;
  }

  // ---- core → client -----------------------------------------------------------------------------------

  /** A response message of the core stream. */
  deliver(message: Record<string, unknown>): void {
    if (this.closed) return;
    this.messagesOut += 1;
    this.enqueue([toProto3Json(this.types.response, message)]);
  }

  /** The core ended the stream: the client gets the status (an error closes its stream) or a close. */
  endStream(status: StreamStatus): void {
    if (this.closed || this.streamEnded) return;
    this.streamEnded = true;
    this.stream = null;
    if (status.code === 0) {
      this.log('session.end', {});
      this.enqueue(['close']);
    } else {
      const name = codeNames[status.code] ?? 'UNKNOWN';
      this.log('session.error', { code: name, message: status.message });
      this.enqueue([{ error: { code: status.code, message: status.message, status: name } }]);
    }
  }

  private enqueue(payload: unknown[]): void {
    const id = this.nextArrayId++;
    this.queue.push({ id, text: JSON.stringify([id, payload]) });
    this.scheduleFlush();
  }

  /**
   * Arrays enqueued in one turn of the event loop (a query's 1,000 documents, a commit's changes) leave as one
   * chunk. Written one chunk each, the browser's XHR re-delivers its growing response text per chunk and the
   * client re-scans it every time, which made a 1,000-document listen take seconds to arrive.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.closed) this.flush();
    });
  }

  // ---- client → core -----------------------------------------------------------------------------------

  /** Delivers forward-channel maps in order, once each (a retried POST repeats map ids already seen). */
  receive(maps: ForwardMap[]): void {
    this.touch();
    for (const map of maps) {
      if (map.id <= this.lastForwardMapId) continue;
      this.lastForwardMapId = map.id;
      if (this.streamEnded || this.closed) continue;
      let request: Record<string, unknown>;
      try {
        request = fromProto3Json(this.types.request, JSON.parse(map.data));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.stream?.close();
        this.endStream({ code: 3, message: `Invalid ${this.types.request.name}: ${message}` });
        return;
      }
      this.messagesIn += 1;
      this.stream?.push(request);
    }
  }

  /** The client has processed every array up to `arrayId`. */
  acknowledge(arrayId: number): void {
    if (!Number.isInteger(arrayId)) return;
    while (this.queue.length > 0 && this.queue[0]!.id <= arrayId) this.queue.shift();
  }

  /** [backChannelPresent, lastArrayIdSent, outstandingChars] for a forward POST response. */
  forwardStatus(): [boolean, number, number] {
    const lastSent = this.lastWritten;
    const outstanding = this.queue
      .filter((entry) => entry.id <= lastSent)
      .reduce((sum, e) => sum + e.text.length, 0);
    // Long polling has gaps between GETs by design; only an absent back channel in streaming mode is "missing".
    return [true, lastSent, outstanding];
  }

  // ---- back channel ------------------------------------------------------------------------------------

  attachBackChannel(
    response: ServerResponse,
    streaming: boolean,
    acknowledgedId: number,
    holdMs: number,
  ): void {
    this.touch();
    this.acknowledge(acknowledgedId);
    if (this.back) this.endBackChannel();
    const back = new BackChannel(response, streaming, acknowledgedId, holdMs);
    this.back = back;
    response.on('close', () => {
      if (this.back === back) this.detachBackChannel();
    });
    this.log('session.backchannel', { mode: streaming ? 'streaming' : 'long-poll', aid: acknowledgedId });
    if (!this.flush() && streaming) {
      // The client times the first byte of a streaming GET to detect buffering proxies; answer at once.
      this.enqueue(['noop']);
    }
    this.armKeepAlive();
  }

  /** Writes the unwritten arrays to the back channel. Returns whether anything was written. */
  private flush(): boolean {
    const back = this.back;
    if (!back) return false;
    if (back.response.destroyed || back.response.writableEnded) {
      // The GET's connection went away and its 'close' event has not run yet: keep the arrays for the next one.
      this.detachBackChannel();
      return false;
    }
    const pending = this.queue.filter((entry) => entry.id > back.lastWrittenId);
    if (pending.length === 0) return false;
    const text = `[${pending.map((entry) => entry.text).join(',')}]`;
    back.response.write(`${text.length}\n${text}`);
    back.lastWrittenId = pending[pending.length - 1]!.id;
    this.lastWritten = back.lastWrittenId;
    back.chars += text.length;
    if (!back.streaming || back.chars > this.options.maxStreamingChars) this.endBackChannel();
    else this.armKeepAlive();
    return true;
  }

  private armKeepAlive(): void {
    const back = this.back;
    if (!back) return;
    if (back.timer) clearTimeout(back.timer);
    back.timer = setTimeout(() => {
      back.timer = null;
      if (this.back === back) this.enqueue(['noop']);
    }, back.holdMs);
    back.timer.unref();
  }

  private endBackChannel(): void {
    const back = this.back;
    if (!back) return;
    this.detachBackChannel();
    back.response.end();
  }

  private detachBackChannel(): void {
    const back = this.back;
    if (!back) return;
    if (back.timer) clearTimeout(back.timer);
    this.back = null;
    this.touch();
  }

  // ---- lifetime ----------------------------------------------------------------------------------------

  private touch(): void {
    this.lastActivity = Date.now();
  }

  /** Idle: no back channel and no request for idleSessionMs. */
  isIdle(now: number): boolean {
    return this.back === null && now - this.lastActivity > this.options.idleSessionMs;
  }

  close(reason: 'session.terminate' | 'session.expire' | 'server.stop'): void {
    if (this.closed) return;
    if (reason !== 'server.stop') this.log(reason, { in: this.messagesIn, out: this.messagesOut });
    // Arrays still waiting for their scheduled flush (a stream's last "close") go out before the end.
    this.flush();
    this.closed = true;
    this.endBackChannel();
    const stream = this.stream;
    this.stream = null;
    this.streamEnded = true;
    stream?.close();
    this.queue.length = 0;
    this.onClosed(this);
  }

  log(
    event: Parameters<typeof logSession>[1],
    fields: Record<string, string | number | boolean | undefined>,
  ): void {
    logSession(this.options, event, { sid: this.id, method: this.method, ...fields });
  }
}
