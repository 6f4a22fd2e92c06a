import {
  browserPopupRedirectResolver,
  GoogleAuthProvider,
  signInWithCredential,
  signInWithPopup,
} from 'firebase/auth';
import { type EmulatedGoogleAccount, emulatedGoogleIdToken } from './emulated-google.ts';
import { firebase } from './firebase.ts';

// Loaded only when the user picks Google, so the popup machinery stays out of the first page's bundle when
// the bundler can split it.

/** Production: Google's own account picker in a popup. */
export async function signInWithGoogle(): Promise<void> {
  await signInWithPopup(firebase().auth, new GoogleAuthProvider(), browserPopupRedirectResolver);
}

/** Against the Auth emulator (see emulated-google.ts): no popup, no script from Google, fully offline. */
export async function signInWithEmulatedGoogle(account: EmulatedGoogleAccount): Promise<void> {
  const credential = GoogleAuthProvider.credential(emulatedGoogleIdToken(account));
  await signInWithCredential(firebase().auth, credential);
}
