import { build } from 'esbuild';

// Deploys as one bundle: workspace packages (@esp32cloud/protocol) are inlined so `firebase deploy` never sees
// an unresolvable import; registry dependencies stay external and are installed from functions/package.json.
const pkg = JSON.parse(
  await (await import('node:fs/promises')).readFile(new URL('./package.json', import.meta.url)),
);

// `node build.mjs [--outfile PATH]`: tests build elsewhere, so running Functions emulators (which watch this
// folder and reload on change) are never disturbed.
const outfileFlag = process.argv.indexOf('--outfile');
const outfile =
  outfileFlag > 0 ? process.argv[outfileFlag + 1] : new URL('./lib/index.js', import.meta.url).pathname;

await build({
  entryPoints: [new URL('./src/index.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile,
  external: Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`]),
  sourcemap: true,
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
