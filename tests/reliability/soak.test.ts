import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak/soak.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// Issue 17's short soak: 200 simulated devices (own connections and credentials) take relay commands for two
// minutes while the broker is killed (SIGKILL, after saving its persistence as a broker past its autosave
// would have) and restarted once; what the devices did must match what Firestore holds. The bridge's command
// timeout is 10 s here so the drain after the run stays short. The long run is `npm run soak`.

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
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    expect(report.ackedInFirestore).toBe(report.ackedByDevices);
    expect(report.recovery.brokerRestart?.reconnected).toBe(200);
  }, 480_000);
});
