import { type BrokerKind, mosquittoAvailable, type RunningBroker } from '@esp32cloud/broker';
import { skipOrFail, whichProgram } from './programs.ts';

// Which MQTT broker a suite tests is always explicit: a suite that loops over both kinds skips the Mosquitto
// half visibly when Mosquitto cannot run here, and a suite that runs on one broker gets it from brokerUnderTest(),
// which prints the kind and never falls back to the embedded broker without saying so (nor at all in CI).

/**
 * Mosquitto with its dynamic-security plugin, which every Mosquitto the product runs loads (the binary alone
 * cannot enforce per-device credentials, so a suite on it would test nothing of ours).
 */
export function requireMosquitto(): boolean {
  const problem = mosquittoProblem();
  return problem === null ? true : skipOrFail(problem);
}

/** Why Mosquitto cannot be tested here, or null when it can. */
export function mosquittoProblem(): string | null {
  if (whichProgram('mosquitto') === null) return '"mosquitto" is not installed (apt-get install mosquitto)';
  if (mosquittoAvailable() === null)
    return 'mosquitto is installed without its dynamic-security plugin (mosquitto_dynamic_security.so, shipped by the Debian package mosquitto 2.0+)';
  return null;
}

/**
 * The broker a single-broker suite runs on: Mosquitto, the production broker, unless TEST_BROKER=embedded
 * asks for the embedded one. When Mosquitto cannot run here the suite runs on the embedded broker and says
 * so; under REQUIRE_PROGRAMS=1, or when TEST_BROKER=mosquitto asked for it, that is a failure instead.
 */
export function brokerUnderTest(suite: string): BrokerKind {
  const asked = process.env.TEST_BROKER;
  if (asked !== undefined && asked !== 'mosquitto' && asked !== 'embedded')
    throw new Error(`TEST_BROKER=${asked}: expected mosquitto or embedded`);
  if (asked === 'embedded') {
    console.info(`${suite}: broker under test: embedded (TEST_BROKER=embedded)`);
    return 'embedded';
  }
  const problem = mosquittoProblem();
  if (problem === null) {
    console.info(`${suite}: broker under test: mosquitto`);
    return 'mosquitto';
  }
  if (asked === 'mosquitto') throw new Error(`${problem}, and TEST_BROKER=mosquitto asked for it`);
  if (process.env.REQUIRE_PROGRAMS === '1')
    throw new Error(`${problem}, and REQUIRE_PROGRAMS=1 forbids testing another broker in its place`);
  console.warn(
    `SKIP: ${suite} on Mosquitto: ${problem}. It runs on the embedded broker instead (TEST_BROKER=embedded chooses that on purpose).`,
  );
  return 'embedded';
}

/**
 * The broker a benchmark measures: Mosquitto, or the embedded broker when TEST_BROKER=embedded says so. A
 * bench never measures another broker than the one it names: without Mosquitto it fails (non-zero exit).
 */
export function benchBrokerKind(): BrokerKind {
  if (process.env.TEST_BROKER === 'embedded') return 'embedded';
  const problem = mosquittoProblem();
  if (problem)
    throw new Error(`${problem}: no Mosquitto figures (TEST_BROKER=embedded measures the embedded broker)`);
  return 'mosquitto';
}

/** Fails loudly if the broker that started is not the one the suite meant to test. */
export function assertBrokerKind(broker: RunningBroker, expected: BrokerKind): void {
  if (broker.kind !== expected)
    throw new Error(`expected to test the ${expected} broker, but ${broker.kind} started`);
}
