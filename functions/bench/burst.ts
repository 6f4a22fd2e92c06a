import { signUp, type TestUser } from '@esp32cloud/tests/harness/auth';
import { startStack } from '@esp32cloud/tests/harness/stack';
import { latencySummary } from '../../scripts/lib/bench-figures.ts';

// Issue 21's burst figure (`npm run bench -- burst`): 40 authenticated API requests at once through the
// Functions emulator configured as `npm start` runs it (a warm pool of FUNCTIONS_WARM_WORKERS workers, the
// emulator's parallelism capped to it; docs/SCALING.md "Bursts"): how many answered 5xx and the latency of
// every request, over BURST_ROUNDS bursts (3 by default, so the p99 has 120 samples).

const BURST = 40;
const ROUNDS = Number(process.env.BURST_ROUNDS ?? 3);
const WARM = Number(process.env.FUNCTIONS_WARM_WORKERS ?? 4);

async function main(): Promise<void> {
  const stack = await startStack({
    firestore: true,
    firebase: ['auth', 'functions'],
    warmFunctionWorkers: WARM,
  });
  try {
    const users: TestUser[] = [];
    for (let i = 0; i < BURST; i++) users.push(await signUp(stack.authHost as string));
    const latencies: number[] = [];
    let serverErrors = 0;
    let other = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        users.map(async (user) => {
          const started = performance.now();
          const response = await fetch(`${stack.apiUrl}/api/users/${user.uid}/devices`, {
            headers: { authorization: `Bearer ${user.idToken}` },
            signal: AbortSignal.timeout(300_000),
          });
          await response.text();
          latencies.push(performance.now() - started);
          if (response.status >= 500) serverErrors += 1;
          else if (response.status !== 200) other += 1;
        }),
      );
    }
    console.log(
      `burst of ${BURST} authenticated API requests x ${ROUNDS} (${WARM} warm Functions emulator workers): ${serverErrors} answered 5xx, ${other} other non-200; latency ${latencySummary(latencies)}`,
    );
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
