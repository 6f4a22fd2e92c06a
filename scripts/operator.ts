import { connectAdmin } from './provision/admin.ts';

// `npm run operator -- grant <email>` / `revoke <email>` / `show <email>`: the operator role is a Firebase
// custom claim (role: "operator") that operator-only API routes check. Against the Auth emulator unless
// FIREBASE_AUTH_EMULATOR_HOST says otherwise. The user's next ID token carries the change (sign in again or
// refresh the token).

const USAGE = 'Usage: npm run operator -- grant|revoke|show <email>';

async function main(): Promise<void> {
  const [action, email] = process.argv.slice(2);
  if (!action || !email || !['grant', 'revoke', 'show'].includes(action)) throw new Error(USAGE);
  const { auth, authHost, projectId } = connectAdmin();
  const user = await auth.getUserByEmail(email).catch((error: { code?: string }) => {
    if (error.code === 'auth/user-not-found') {
      throw new Error(`No account with email ${email} in project ${projectId} (auth ${authHost}).`);
    }
    throw error;
  });
  const claims = { ...(user.customClaims ?? {}) } as Record<string, unknown>;
  if (action === 'grant') claims.role = 'operator';
  if (action === 'revoke') delete claims.role;
  if (action !== 'show') await auth.setCustomUserClaims(user.uid, claims);
  console.log(
    JSON.stringify({ uid: user.uid, email, role: claims.role === 'operator' ? 'operator' : 'customer' }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
