/**
 * Runtime configuration of the web app: which Firebase project it talks to, whether to use the local emulators,
 * and where the API lives. It is served as a tiny script at /app-config.js (loaded before the bundle by
 * index.html; not under /__/, which Firebase Hosting reserves for itself), so one build runs against any stack: `npm start` and the test server write it for their ports,
 * a production build emits it from VITE_FIREBASE_* variables. Everything here is public by nature (a Firebase
 * web config is not a secret); never put a secret in it.
 */
export interface RuntimeConfig {
  firebase: { apiKey: string; authDomain: string; projectId: string; appId: string };
  /** Present in local runs only: the SDKs are pointed at these emulators. */
  emulators?: { auth: string; firestore: { host: string; port: number } };
  /** Base path of the HTTP API; relative so Hosting's /api/** rewrite reaches the `api` function. */
  apiBase: string;
}

export const CONFIG_SCRIPT_PATH = '/app-config.js';
export const CONFIG_GLOBAL = '__ESP32_CLOUD__';

/** The script body served at CONFIG_SCRIPT_PATH. JSON is escaped so no value can close a script element. */
export function renderConfigScript(config: RuntimeConfig): string {
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
  return `globalThis.${CONFIG_GLOBAL} = ${json};\n`;
}

/** Local runs: a demo- project id (can never reach a real project) and emulators on the given ports. */
export function localRuntimeConfig(options: {
  projectId: string;
  authEmulatorUrl: string;
  firestoreHost: string;
  firestorePort: number;
}): RuntimeConfig {
  return {
    firebase: {
      apiKey: 'demo-api-key',
      authDomain: `${options.projectId}.firebaseapp.com`,
      projectId: options.projectId,
      appId: 'demo-app-id',
    },
    emulators: {
      auth: options.authEmulatorUrl,
      firestore: { host: options.firestoreHost, port: options.firestorePort },
    },
    apiBase: '/api',
  };
}

/** Vite modes whose builds run against local emulators (`npm start`, tests, `vite dev`). */
export const LOCAL_MODES = ['emulators', 'development', 'test'] as const;

/**
 * The runtime config a build emits. Local modes point at the emulators on their default ports (`npm start` and
 * the test server overwrite it with the ports they actually used). Any other mode is a deployable build: it
 * needs the public web config from VITE_FIREBASE_* and throws without it, so a production build can never
 * ship a config that points the visitor's browser at their own 127.0.0.1.
 */
export function runtimeConfigFromEnv(env: Record<string, string | undefined>, mode: string): RuntimeConfig {
  if ((LOCAL_MODES as readonly string[]).includes(mode)) {
    return localRuntimeConfig({
      projectId: env.VITE_FIREBASE_PROJECT_ID || 'demo-esp32-cloud',
      authEmulatorUrl: 'http://127.0.0.1:9099',
      firestoreHost: '127.0.0.1',
      firestorePort: 8080,
    });
  }
  const required = ['VITE_FIREBASE_PROJECT_ID', 'VITE_FIREBASE_API_KEY', 'VITE_FIREBASE_APP_ID'] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `A ${mode} build needs the Firebase web config: set ${missing.join(', ')} (hosting/.env.${mode} or the ` +
        'environment), or build for local emulators with `--mode emulators`.',
    );
  }
  const projectId = env.VITE_FIREBASE_PROJECT_ID as string;
  if (projectId.startsWith('demo-')) {
    throw new Error(`VITE_FIREBASE_PROJECT_ID "${projectId}" is an emulator-only demo project.`);
  }
  return {
    firebase: {
      apiKey: env.VITE_FIREBASE_API_KEY as string,
      authDomain: env.VITE_FIREBASE_AUTH_DOMAIN || `${projectId}.firebaseapp.com`,
      projectId,
      appId: env.VITE_FIREBASE_APP_ID as string,
    },
    apiBase: env.VITE_API_BASE || '/api',
  };
}
