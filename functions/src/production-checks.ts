import { DEVELOPMENT_CLAIM_CODE_PEPPER } from './config.ts';

// Safe production defaults (docs/SECURITY.md, "Safe production defaults"). config.ts falls back to values that
// make local runs work with no setup; deployed, those same fallbacks would be holes (a public claim-code
// pepper, a function talking to an emulator address, setup links to the visitor's own machine). A deployed
// instance with any of them refuses to start, naming every problem at once.

/** Variables that point the Admin SDK at an emulator; none belongs in a deployed function. */
export const EMULATOR_VARIABLES = [
  'FIRESTORE_EMULATOR_HOST',
  'FIREBASE_AUTH_EMULATOR_HOST',
  'FIREBASE_STORAGE_EMULATOR_HOST',
  'FIREBASE_DATABASE_EMULATOR_HOST',
  'PUBSUB_EMULATOR_HOST',
  'FIREBASE_EMULATOR_HUB',
] as const;

type Env = Record<string, string | undefined>;

/**
 * Deployed = running on Cloud Functions / Cloud Run (K_SERVICE is set there) and not in the Functions emulator.
 * `firebase deploy` loads the code on the developer's machine to list the functions (no K_SERVICE), so
 * analysis never trips these checks.
 */
export function isDeployed(env: Env): boolean {
  return env.FUNCTIONS_EMULATOR !== 'true' && Boolean(env.K_SERVICE || env.FUNCTION_TARGET);
}

const MIN_PEPPER_LENGTH = 32;

/** Every reason this environment is unsafe for a deployed instance (empty: safe). */
export function unsafeProductionSettings(env: Env): string[] {
  const problems: string[] = [];
  const pepper = env.CLAIM_CODE_PEPPER ?? '';
  if (pepper === '') problems.push('CLAIM_CODE_PEPPER is empty: set a long random secret (Secret Manager).');
  else if (pepper === DEVELOPMENT_CLAIM_CODE_PEPPER)
    problems.push('CLAIM_CODE_PEPPER is the public development pepper: set a long random secret.');
  else if (pepper.length < MIN_PEPPER_LENGTH)
    problems.push(`CLAIM_CODE_PEPPER is shorter than ${MIN_PEPPER_LENGTH} characters.`);
  for (const name of EMULATOR_VARIABLES) {
    if (env[name]) problems.push(`${name} is set: a deployed function must never talk to an emulator.`);
  }
  if (!env.MQTT_PASSWORD) problems.push('MQTT_PASSWORD is empty: the command relay cannot authenticate.');
  const appUrl = env.APP_URL ?? '';
  if (!/^https:\/\//.test(appUrl) || /^https:\/\/(127\.|localhost|\[::1\])/.test(appUrl))
    problems.push('APP_URL must be the public https:// origin of the web app (setup links use it).');
  // Billing (docs/BILLING.md): optional, but when on it must talk to Stripe itself with a verified webhook.
  if (env.STRIPE_API_HOST)
    problems.push(
      'STRIPE_API_HOST is set: a deployed function talks to Stripe, never to the local stand-in.',
    );
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET)
    problems.push(
      'STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: webhook events could not be verified.',
    );
  return problems;
}

/** Throws (so the instance fails to start) when deployed with unsafe settings; does nothing elsewhere. */
export function assertSafeForProduction(env: Env): void {
  if (!isDeployed(env)) return;
  const problems = unsafeProductionSettings(env);
  if (problems.length > 0) {
    throw new Error(`Refusing to start with unsafe production settings:\n- ${problems.join('\n- ')}`);
  }
}
