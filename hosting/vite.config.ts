import preact from '@preact/preset-vite';
import { defineConfig, loadEnv, type Plugin } from 'vite';
import { installableApp } from './pwa/plugin.ts';
import { CONFIG_SCRIPT_PATH, renderConfigScript, runtimeConfigFromEnv } from './runtime-config.ts';

/** Emits CONFIG_SCRIPT_PATH (the runtime config script) into the build and serves it in `vite dev`. */
function runtimeConfigScript(mode: string): Plugin {
  const body = () =>
    renderConfigScript(runtimeConfigFromEnv(loadEnv(mode, import.meta.dirname, 'VITE_'), mode));
  return {
    name: 'esp32cloud-runtime-config',
    // Fails a deployable build without the web config before any bundling work (runtime-config.ts).
    buildStart() {
      body();
    },
    configureServer(server) {
      server.middlewares.use(CONFIG_SCRIPT_PATH, (_req, res) => {
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(body());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: CONFIG_SCRIPT_PATH.slice(1), source: body() });
    },
  };
}

/**
 * The app's CSP forbids eval (docs/SECURITY.md, "Hosting headers"). zod compiles fast parsers with `new Function`
 * and probes whether it may while each object schema is created, which Chromium reports as a violation even
 * though zod catches it. Its jitless mode skips both, but must be set before the first schema exists, so it is
 * written into zod's global config ahead of zod's own code.
 */
function zodWithoutEval(): Plugin {
  return {
    name: 'esp32cloud-zod-without-eval',
    transform(code, id) {
      if (!/[\\/]zod[\\/]v4[\\/]core[\\/]core\.js$/.test(id)) return null;
      return { code: `(globalThis.__zod_globalConfig ??= {}).jitless = true;\n${code}`, map: null };
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  plugins: [preact(), runtimeConfigScript(mode), zodWithoutEval(), installableApp()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
}));
