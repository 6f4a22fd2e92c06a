// Auth emulator helpers: real accounts and real (emulator-issued) ID tokens, through its public REST API.

export interface TestUser {
  uid: string;
  email: string;
  password: string;
  idToken: string;
}

let counter = 0;

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.test`;
}

export async function signUp(
  authHost: string,
  email = uniqueEmail(),
  password = 'correct-horse-42',
): Promise<TestUser> {
  const body = await identityToolkit(authHost, 'accounts:signUp', {
    email,
    password,
    returnSecureToken: true,
  });
  return { uid: body.localId as string, email, password, idToken: body.idToken as string };
}

export async function signIn(authHost: string, email: string, password: string): Promise<TestUser> {
  const body = await identityToolkit(authHost, 'accounts:signInWithPassword', {
    email,
    password,
    returnSecureToken: true,
  });
  return { uid: body.localId as string, email, password, idToken: body.idToken as string };
}

/**
 * Verifies the account's email the way a person does: the Auth emulator "sends" the verification email
 * (accounts:sendOobCode), the test reads the code from the emulator's oobCodes endpoint and applies it
 * (accounts:update), then signs in again so the new ID token says email_verified.
 */
export async function verifyEmail(authHost: string, projectId: string, user: TestUser): Promise<TestUser> {
  await identityToolkit(authHost, 'accounts:sendOobCode', {
    requestType: 'VERIFY_EMAIL',
    idToken: user.idToken,
  });
  const response = await fetch(`http://${authHost}/emulator/v1/projects/${projectId}/oobCodes`);
  const { oobCodes } = (await response.json()) as {
    oobCodes: Array<{ email: string; oobCode: string; requestType: string }>;
  };
  const code = oobCodes
    .filter((c) => c.email === user.email && c.requestType === 'VERIFY_EMAIL')
    .at(-1)?.oobCode;
  if (!code) throw new Error(`the Auth emulator holds no verification code for ${user.email}`);
  await identityToolkit(authHost, 'accounts:update', { oobCode: code });
  return signIn(authHost, user.email, user.password);
}

/** A new account whose email is verified (sharing and transfer go only to these). */
export async function signUpVerified(
  authHost: string,
  projectId: string,
  email = uniqueEmail(),
): Promise<TestUser> {
  return verifyEmail(authHost, projectId, await signUp(authHost, email));
}

async function identityToolkit(
  authHost: string,
  method: string,
  payload: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(
    `http://${authHost}/identitytoolkit.googleapis.com/v1/${method}?key=demo-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    },
  );
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Auth emulator ${method} failed: ${JSON.stringify(body)}`);
  return body;
}
