import { defineConfig } from 'vitest/config';

// One test command for the whole repo. Suites start their own emulators on free ports, so files can run
// in parallel; two workers match this machine's two cores.
export default defineConfig({
  test: {
    include: ['**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/lib/**'],
    maxWorkers: 2,
    // Google's client libraries otherwise probe the cloud metadata server (off this machine) when no credential
    // is configured; tests talk to 127.0.0.1 only.
    env: { METADATA_SERVER_DETECTION: 'none' },
    globalSetup: ['tests/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report gives .ci/run its closing "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest-results.json' },
  },
});
