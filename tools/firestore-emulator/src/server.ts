import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { handleGrpcStream } from './grpc.ts';
import { type HttpOptions, handleHttpRequest } from './http.ts';
import type { FirestoreService } from './service.ts';

// One TCP port, two protocols: a connection that opens with the HTTP/2 preface ("PRI * HTTP/2.0") is gRPC
// and goes to the http2 server; anything else is HTTP/1.1 (REST endpoints, WebChannel, CORS preflights).

const PREFACE = Buffer.from('PRI * HTTP/2.0');

export interface ServerOptions extends HttpOptions {
  defaultProjectId: string;
  onRpcError?: (method: string, code: number, message: string) => void;
}

export interface EmulatorServer {
  listen(port: number, host: string): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export function createEmulatorServer(service: FirestoreService, options: ServerOptions): EmulatorServer {
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();

  const grpcServer = http2.createServer({ settings: { maxConcurrentStreams: 10_000 } });
  grpcServer.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  grpcServer.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    handleGrpcStream(service, stream, headers, {
      defaultProjectId: options.defaultProjectId,
      onError: (method, error) => options.onRpcError?.(method, error.code, error.message),
    });
  });

  const httpServer = http.createServer((req, res) => {
    handleHttpRequest(req, res, service, options).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error.message);
    });
  });
  httpServer.keepAliveTimeout = 5_000;

  const tcpServer = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let received = Buffer.alloc(0);
    const route = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const n = Math.min(received.length, PREFACE.length);
      const isHttp2 = received.subarray(0, n).equals(PREFACE.subarray(0, n));
      // 'P' alone could start PRI, PUT, POST or PATCH: wait for enough bytes to decide.
      if (isHttp2 && received.length < 4) return;
      socket.off('data', route);
      socket.pause();
      if (isHttp2) {
        grpcServer.emit('connection', new PrefixedStream(socket, received));
      } else {
        socket.unshift(received);
        httpServer.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', route);
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        tcpServer.once('error', reject);
        tcpServer.listen(port, host, () => {
          tcpServer.off('error', reject);
          const address = tcpServer.address() as net.AddressInfo;
          resolve({ host, port: address.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        httpServer.closeAllConnections?.();
        tcpServer.close(() => resolve());
      });
    },
  };
}

/**
 * node:http2 reads a net.Socket through its native handle, which would skip bytes already read for sniffing,
 * so the HTTP/2 side gets a stream that replays them first (Node wraps non-socket streams itself).
 */
class PrefixedStream extends Duplex {
  constructor(
    private readonly socket: net.Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  setTimeout(timeout: number, callback?: () => void): this {
    this.socket.setTimeout(timeout, callback);
    return this;
  }
}
