import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../harness/auth.ts';
import { type Stack, startStack } from '../harness/stack.ts';

// A burst of 40 authenticated API requests at once, through the Functions emulator as `npm start` runs it:
// every one is answered, none with a 5xx. Left to itself the emulator starts a worker process for each request
// that finds no idle worker, so a burst paid dozens of cold starts and answered 500 "Failed to load function";
// with a warm pool and the emulator's parallelism capped to it, the burst queues for warm workers
// (scripts/lib/firebase-emulators.ts, docs/SCALING.md "Bursts").

const BURST = 40;
const WARM_WORKERS = 4;

let stack: Stack;
const users: TestUser[] = [];

beforeAll(async () => {
  stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    warmFunctionWorkers: WARM_WORKERS,
  });
  for (let i = 0; i < BURST; i++) users.push(await signUp(stack.authHost!));
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

describe('api burst', () => {
  it(`answers ${BURST} concurrent authenticated requests with no 5xx`, async () => {
    const answers = await Promise.all(
      users.map(async (user) => {
        const response = await fetch(`${stack.apiUrl}/api/users/${user.uid}/devices`, {
          headers: { authorization: `Bearer ${user.idToken}` },
          signal: AbortSignal.timeout(400_000),
        });
        const body = await response.text();
        return { status: response.status, body };
      }),
    );
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    for (const answer of answers) expect(JSON.parse(answer.body)).toHaveProperty('devices');
  }, 500_000);
});
