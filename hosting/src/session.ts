import { signal } from '@preact/signals';
import {
  createUserWithEmailAndPassword,
  signOut as firebaseSignOut,
  onAuthStateChanged,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  type User,
} from 'firebase/auth';
import { firebase } from './firebase.ts';
import type { MessageKey } from './i18n/index.ts';
import { clearPrivateData } from './pwa/private-data.ts';

/** The signed-in user: undefined until Firebase has restored the session, then a User or null. */
export const currentUser = signal<User | null | undefined>(undefined);

/** Set while someone is signed in on this browser (no account data: only that a session is saved). */
const SIGNED_IN_KEY = 'esp32cloud.signed-in';

/**
 * Whether the last page left a signed-in session behind, known at once, before Firebase has restored it: the
 * first page can then load the chunks a signed-in user's page needs while the session is being restored.
 */
export function sessionLikely(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return false;
  }
}

function rememberSession(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage unavailable: pages load their chunks once the session is restored, as without the hint
  }
}

let started = false;
export function watchSession(): void {
  if (started) return;
  started = true;
  onAuthStateChanged(firebase().auth, (user) => {
    rememberSession(user !== null);
    currentUser.value = user;
  });
}

export async function signUp(email: string, password: string): Promise<void> {
  await createUserWithEmailAndPassword(firebase().auth, email.trim(), password);
}

export async function signIn(email: string, password: string): Promise<void> {
  await signInWithEmailAndPassword(firebase().auth, email.trim(), password);
}

export async function signOut(): Promise<void> {
  // The account's saved dashboard goes first: the next person on this phone must not see it.
  await clearPrivateData();
  await firebaseSignOut(firebase().auth);
}

export async function resetPassword(email: string): Promise<void> {
  await sendPasswordResetEmail(firebase().auth, email.trim());
}

/** An ID token for the API, or null when signed out. */
export async function idToken(): Promise<string | null> {
  const user = firebase().auth.currentUser;
  return user ? user.getIdToken() : null;
}

/** Maps Firebase Auth error codes to plain messages. */
export function authErrorMessage(error: unknown): MessageKey {
  const code = (error as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'auth/invalid-credential':
    case 'auth/wrong-password':
    case 'auth/user-not-found':
    case 'auth/invalid-login-credentials':
      return 'auth.error.invalidCredential';
    case 'auth/email-already-in-use':
      return 'auth.error.emailInUse';
    case 'auth/weak-password':
      return 'auth.error.weakPassword';
    case 'auth/invalid-email':
    case 'auth/missing-email':
      return 'auth.error.invalidEmail';
    case 'auth/too-many-requests':
      return 'auth.error.tooMany';
    case 'auth/network-request-failed':
      return 'auth.error.network';
    default:
      return 'auth.error.unknown';
  }
}
