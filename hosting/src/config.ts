import type { RuntimeConfig } from '../runtime-config.ts';

declare global {
  // Set by /app-config.js before the bundle runs.
  var __ESP32_CLOUD__: RuntimeConfig | undefined;
}

/** The runtime config, read once. A missing config is a deployment mistake, so it fails loudly. */
export function readRuntimeConfig(): RuntimeConfig {
  const config = globalThis.__ESP32_CLOUD__;
  if (!config?.firebase?.projectId) {
    throw new Error('Missing runtime config: /app-config.js did not set globalThis.__ESP32_CLOUD__');
  }
  return { ...config, apiBase: config.apiBase || '/api' };
}
