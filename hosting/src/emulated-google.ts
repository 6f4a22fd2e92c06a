import { readRuntimeConfig } from './config.ts';

// Locally the Auth emulator plays Google's part. Its own account picker (/emulator/auth/handler) reports back
// through Google's iframe script from apis.google.com and styles itself from unpkg.com, so it cannot run
// offline; instead the app asks for the account itself and hands the emulator an unsigned "Google ID token"
// (strict JSON claims, which the emulator accepts through accounts:signInWithIdp). The emulator still issues
// the real session: a google.com user, as in production.

export interface EmulatedGoogleAccount {
  email: string;
  /** Display name; optional, as on a real Google account. */
  name: string;
}

/** True when the runtime config points Auth at the emulator (local runs and tests). */
export function googleIsEmulated(): boolean {
  return Boolean(readRuntimeConfig().emulators);
}

/**
 * The fake ID token's claims as strict JSON. `sub` (Google's stable account id) is derived from the email, so
 * choosing the same address again signs in to the same google.com account rather than creating another.
 */
export function emulatedGoogleIdToken(account: EmulatedGoogleAccount): string {
  const email = account.email.trim().toLowerCase();
  const name = account.name.trim();
  const sub = Array.from(new TextEncoder().encode(email), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );
  return JSON.stringify({ sub, email, email_verified: true, ...(name ? { name } : {}) });
}
