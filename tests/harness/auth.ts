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
