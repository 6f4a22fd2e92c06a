import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
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
      // Both servers take the socket itself with the sniffed bytes put back: node:http2 reads what is
      // buffered before it reads from the native handle, so gRPC stays on the fast native path.
      socket.unshift(received);
      if (isHttp2) {
        grpcServer.emit('connection', socket);
      } else {
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
