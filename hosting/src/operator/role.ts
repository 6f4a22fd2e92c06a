import { effect, signal } from '@preact/signals';
import { currentUser } from '../session.ts';

// Whether the signed-in account carries the operator custom claim (role=operator), read from its ID token.
// Only decides what the UI shows (the console link and pages); the API and the rules check the claim
// themselves.

/** null until the token has been read. */
export const isOperator = signal<boolean | null>(null);

effect(() => {
  const user = currentUser.value;
  if (!user) {
    isOperator.value = user === null ? false : null;
    return;
  }
  void user.getIdTokenResult().then(
    (result) => {
      if (currentUser.value === user) isOperator.value = result.claims.role === 'operator';
    },
    () => {
      isOperator.value = false;
    },
  );
});
