import { createRequire } from 'node:module';
import { FirestoreServer } from '@firestore-emulator/server';
import type * as grpc from '@grpc/grpc-js';

// The public Node peer, @firestore-emulator/server 0.3.15, as a server process of the side-by-side bench
// (../side-by-side.ts). Its start(port) binds 0.0.0.0 on a port the caller picks; this binds the same gRPC
// server (its service, its options) to 127.0.0.1 on a free port instead, and prints that port.

const peer = new FirestoreServer();
// The gRPC server FirestoreServer built and added its service to (private in its typings).
const server = (peer as unknown as { server: grpc.Server }).server;
// Credentials from the peer's own copy of @grpc/grpc-js (the server checks their class).
const peerRequire = createRequire(createRequire(import.meta.url).resolve('@firestore-emulator/server'));
const { ServerCredentials } = peerRequire('@grpc/grpc-js') as typeof grpc;

server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  peer.stop();
  process.exit(0);
});
