import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak/soak.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// A short soak: 200 simulated devices (own connections and credentials) take relay commands for a minute;
// what the devices did must match what Firestore holds. Killing the broker during such a run still loses the
// acks that follow it (docs/RELIABILITY.md, "Known failure"; issue 17 stays open on it): that run is
// `npm run soak -- --devices 200 --minutes 2 --break broker`, and the single-device broker kill is proven in
// recovery.test.ts. The bridge's command timeout is 10 s here so the drain after the run stays short.

const kind = brokerUnderTest('short soak');

describe(`soak: 200 devices, 1 minute (${kind})`, () => {
  it('ends with nothing lost, duplicated, out of order or left pending', async () => {
    const report = await runSoak({
      devices: 200,
      rate: 6,
      minutes: 1,
      kind,
      breaks: [],
      commandTimeoutMs: 10_000,
      log: (line) => console.info(`[soak] ${line}`),
    });
    console.info(`soak: ${JSON.stringify(report)}`);
    expect(report.commandsSent).toBeGreaterThan(500);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    expect(report.ackedInFirestore).toBe(report.ackedByDevices);
  }, 420_000);
});
