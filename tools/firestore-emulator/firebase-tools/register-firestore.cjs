// Preloaded into firebase-tools (`node -r …/register-firestore.cjs firebase.js emulators:start …`) so that its
// Functions emulator sees this Node-native Firestore emulator as "the Firestore emulator": it then registers
// Firestore triggers with it (POST /emulator/v1/projects/{p}/eventarcTrigger) and points the functions'
// FIRESTORE_EMULATOR_HOST at it, exactly as with Google's emulator, which firebase-tools would otherwise start
// as a Java process. The emulator must already listen at FIRESTORE_EMULATOR_EXTERNAL_HOST (host:port).
'use strict';

const address = process.env.FIRESTORE_EMULATOR_EXTERNAL_HOST;
if (address) {
  const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry');
  const { Emulators } = require('firebase-tools/lib/emulator/types');
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  const external = {
    start: async () => {},
    connect: async () => {},
    // The emulator belongs to whoever started it; firebase-tools only forgets it.
    stop: async () => {},
    getInfo: () => ({ name: Emulators.FIRESTORE, host, port, pid: process.pid }),
    getName: () => Emulators.FIRESTORE,
  };
  EmulatorRegistry.start(external).catch((error) => {
    process.stderr.write(`Cannot register the Firestore emulator at ${address}: ${error.message}\n`);
  });
}
