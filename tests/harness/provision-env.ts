/**
 * What `npm run provision` takes from a running `npm start` (scripts/provision/local-stack.ts) when the
 * environment does not give it: tests that prove the detection clear these for the CLI.
 */
export const STACK_SETTINGS = [
  'BROKER_ADMIN_URL',
  'DEVICE_BROKER_URL',
  'APP_URL',
  'FIRESTORE_EMULATOR_HOST',
  'FIREBASE_AUTH_EMULATOR_HOST',
  'GCLOUD_PROJECT',
] as const;
