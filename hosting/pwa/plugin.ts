import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { CONFIG_SCRIPT_PATH } from '../runtime-config.ts';
import { iconPng } from './icons.ts';
import { ICONS, manifest } from './manifest.ts';

// Emits the installable app's files into the build: the manifests, the icons and /sw.js, whose shell list is
// every file the first page needs (index.html, the entry chunk and its static imports, styles, the web config)
// and whose version is a hash of that list, so a new deployment is a new service worker (the update prompt).

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
      // The first page: the entry chunk, what it imports statically, and the CSS. Lazy chunks are cached by
      // the worker the first time the page loads them.
      const shell = new Set<string>([
        '/index.html',
        CONFIG_SCRIPT_PATH,
        '/manifest.th.webmanifest',
        '/manifest.en.webmanifest',
      ]);
      for (const icon of ICONS) shell.add(icon.src);
      for (const item of Object.values(bundle)) {
        if (item.type === 'chunk' && item.isEntry) {
          shell.add(`/${item.fileName}`);
          for (const name of item.imports) shell.add(`/${name}`);
          for (const css of item.viteMetadata?.importedCss ?? []) shell.add(`/${css}`);
        }
        if (item.type === 'asset' && item.fileName.endsWith('.css')) shell.add(`/${item.fileName}`);
      }
      const list = [...shell].sort();
      const version = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 12);
      const source = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(list)};\n${readFileSync(WORKER_SOURCE, 'utf8')}`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
