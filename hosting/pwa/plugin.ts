import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { CONFIG_SCRIPT_PATH } from '../runtime-config.ts';
import { iconPng } from './icons.ts';
import { ICONS, manifest } from './manifest.ts';

// Emits the installable app's files into the build: the manifests, the icons and /sw.js, whose shell list is
// every built file plus the web config, and whose version is a hash of that list (file names carry content
// hashes), so a new deployment is a new service worker and the page offers the update.

const WORKER_SOURCE = path.join(import.meta.dirname, 'service-worker.js');

export function installableApp(): Plugin {
  return {
    name: 'esp32cloud-installable-app',
    apply: 'build',
    generateBundle(_options, bundle) {
      this.emitFile({ type: 'asset', fileName: 'manifest.th.webmanifest', source: manifest('th') });
      this.emitFile({ type: 'asset', fileName: 'manifest.en.webmanifest', source: manifest('en') });
      for (const icon of ICONS) {
        const size = Number(icon.sizes.split('x')[0]);
        this.emitFile({
          type: 'asset',
          fileName: icon.src.slice(1),
          source: iconPng(size, icon.purpose === 'maskable'),
        });
      }
      // Every built file: the installed app opens any page offline (the dashboard's chunks too), at the cost of
      // one download of the whole app (about 300 KB gzip) when the worker installs.
      const shell = new Set<string>([CONFIG_SCRIPT_PATH, '/index.html']);
      for (const icon of ICONS) shell.add(icon.src);
      for (const item of Object.values(bundle)) shell.add(`/${item.fileName}`);
      const list = [...shell].sort();
      const version = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 12);
      const source = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(list)};\n${readFileSync(WORKER_SOURCE, 'utf8')}`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
