import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

// The google.firestore.v1 protos exactly as @google-cloud/firestore ships them, loaded once with protobufjs.
// Messages are converted to and from the plain-object form described in types.ts.

const require = createRequire(import.meta.url);

function protosDirectory(): string {
  const packageJson = require.resolve('@google-cloud/firestore/package.json');
  return path.join(path.dirname(packageJson), 'build', 'protos');
}

let root: protobuf.Root | null = null;

export function protoRoot(): protobuf.Root {
  if (root) return root;
  const dir = protosDirectory();
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin, target) => path.join(dir, target);
  loaded.loadSync('google/firestore/v1/firestore.proto', { keepCase: false });
  loaded.resolveAll();
  root = loaded;
  return loaded;
}

export const conversionOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer as unknown as typeof String,
  defaults: false,
};

export interface MessageCodec {
  decode(bytes: Uint8Array): Record<string, unknown>;
  encode(object: unknown): Uint8Array;
}

const codecs = new Map<string, MessageCodec>();

export function codecFor(typeName: string): MessageCodec {
  let codec = codecs.get(typeName);
  if (codec) return codec;
  const type = protoRoot().lookupType(typeName);
  codec = {
    decode: (bytes) => type.toObject(type.decode(bytes), conversionOptions) as Record<string, unknown>,
    encode: (object) => type.encode(type.fromObject(object as Record<string, unknown>)).finish(),
  };
  codecs.set(typeName, codec);
  return codec;
}

export interface MethodShape {
  name: string;
  requestType: string;
  responseType: string;
  requestStream: boolean;
  responseStream: boolean;
}

export function firestoreMethods(): MethodShape[] {
  const service = protoRoot().lookupService('google.firestore.v1.Firestore');
  return service.methodsArray.map((method) => {
    method.resolve();
    return {
      name: method.name,
      requestType: method.resolvedRequestType!.fullName.slice(1),
      responseType: method.resolvedResponseType!.fullName.slice(1),
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
    };
  });
}
