// What the WebChannel transport needs from the emulator core: one bidirectional stream per browser session,
// carrying messages in the core's protobufjs object form. The transport owns everything about HTTP; the core
// owns authentication (from the headers), rules and data.

export type StreamMethod = 'Listen' | 'Write';

/** A gRPC-style final status; code 0 is a normal end. */
export interface StreamStatus {
  code: number;
  message: string;
}

export interface StreamOpenRequest {
  /** Request headers, lower-cased: the real HTTP headers overlaid with those the SDK encoded in the body. */
  headers: Record<string, string>;
  /** projects/{p}/databases/{d}, from the `database` URL parameter. */
  database: string;
}

export interface BackendStream {
  push(request: Record<string, unknown>): void;
  /** The client went away: release the stream (no further send/end calls are needed). */
  close(): void;
}

export interface WebChannelBackend {
  openStream(
    method: StreamMethod,
    request: StreamOpenRequest,
    send: (response: Record<string, unknown>) => void,
    end: (status: StreamStatus) => void,
  ): BackendStream;
}
