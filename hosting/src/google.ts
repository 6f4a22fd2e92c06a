import { browserPopupRedirectResolver, GoogleAuthProvider, signInWithPopup } from 'firebase/auth';
import { firebase } from './firebase.ts';

// Loaded only when the user picks Google, so the popup machinery stays out of the first page's bundle when
// the bundler can split it. Locally the Auth emulator plays Google's part with its own account picker.

export async function signInWithGoogle(): Promise<void> {
  await signInWithPopup(firebase().auth, new GoogleAuthProvider(), browserPopupRedirectResolver);
}
