import { build } from 'esbuild';
await build({ entryPoints: ['src/index.ts'], bundle: true, platform: 'node', target: 'node20', format: 'esm', outfile: 'lib/index.js', packages: 'external', sourcemap: true, logLevel: 'warning' });
