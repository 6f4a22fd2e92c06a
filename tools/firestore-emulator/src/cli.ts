#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { start } from './index.ts';

// npm run emulator:firestore -- --host 127.0.0.1 --port 8080 [--project ID] [--rules firestore.rules]
//   [--indexes firestore.indexes.json] [--require-indexes] [--functions-emulator HOST:PORT] [--import DIR] [--export-on-exit [DIR]] [--quiet]

const usage = `Usage: firestore-emulator [--host 127.0.0.1] [--port 8080] [--project ID] [--rules FILE]
                          [--indexes FILE] [--require-indexes] [--functions-emulator HOST:PORT]
                          [--import DIR] [--export-on-exit [DIR]] [--quiet]`;

function parse() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      project: { type: 'string' },
      rules: { type: 'string' },
      indexes: { type: 'string' },
      'require-indexes': { type: 'boolean' },
      'functions-emulator': { type: 'string' },
      import: { type: 'string' },
      'export-on-exit': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  return values;
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>;
  try {
    // A bare --export-on-exit (no directory) means: export where we imported from.
    const argv = process.argv;
    const index = argv.indexOf('--export-on-exit');
    if (index >= 0 && (index === argv.length - 1 || argv[index + 1].startsWith('--'))) {
      const importIndex = argv.indexOf('--import');
      const fallback = importIndex >= 0 ? argv[importIndex + 1] : undefined;
      if (!fallback) throw new Error('--export-on-exit needs a directory (or --import DIR)');
      argv.splice(index + 1, 0, fallback);
    }
    values = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`Invalid --port ${values.port}\n${usage}\n`);
    process.exit(2);
  }
  const emulator = await start({
    host: values.host,
    port,
    projectId: values.project,
    rulesFile: values.rules,
    indexesFile: values.indexes,
    requireIndexes: values['require-indexes'],
    functionsEmulator: values['functions-emulator'],
    importDir: values.import,
    exportOnExit: values['export-on-exit'],
    quiet: values.quiet,
  });
  process.stdout.write(
    `Firestore emulator listening on ${emulator.url} (FIRESTORE_EMULATOR_HOST=${emulator.hostAndPort})\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
