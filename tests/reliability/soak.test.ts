import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak/soak.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// The short soak of issue 17: 200 simulated devices (own connections and credentials) take relay commands
// for 2 minutes while the broker is killed (SIGKILL) and restarted once; what the devices did must match what
// Firestore holds. The long run with chaos is `npm run soak` (figures in docs/RELIABILITY.md). The bridge's
// command timeout is 10 s here so the drain after the run stays short.

const kind = brokerUnderTest('short soak');

describe(`soak: 200 devices, 2 minutes, one broker restart (${kind})`, () => {
  it('ends with nothing lost, duplicated, out of order or left pending', async () => {
    const report = await runSoak({
      devices: 200,
      rate: 6,
      minutes: 2,
      kind,
      breaks: ['broker'],
      commandTimeoutMs: 10_000,
      log: (line) => console.info(`[soak] ${line}`),
    });
    console.info(`soak: ${JSON.stringify(report)}`);
    expect(report.commandsSent).toBeGreaterThan(1000);
    expect(report.events.some((e) => e.includes('broker back'))).toBe(true);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    expect(report.ackedInFirestore).toBe(report.ackedByDevices);
  }, 420_000);
});
