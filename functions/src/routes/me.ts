import type { Router } from '../http/router.ts';

// GET /api/me: who the ID token says the caller is. The app uses it to show the signed-in account and role.
export function registerMeRoutes(router: Router): void {
  router.add('GET', '/me', {
    auth: 'required',
    handler: async ({ caller }) => ({
      body: { uid: caller!.uid, email: caller!.email, role: caller!.isOperator ? 'operator' : 'customer' },
    }),
  });
}
