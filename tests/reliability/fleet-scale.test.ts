import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak/soak.ts';
import { brokerUnderTest } from '../harness/broker-kind.ts';

// The short version of the 10,000-device run (issue 21, `npm run soak -- --devices 10000 …`): 300 devices made
// in bulk and run by two generator processes for 30 s of commands. Every device connects and is shown online
// by the bridge, every command comes back, and the run reports the figures the long run prints (the figures
// themselves are the long run's business, not this test's).

const kind = brokerUnderTest('fleet at scale');

describe(`fleet: 300 devices over 2 generator processes (${kind})`, () => {
  it('connects every device, shows it online, answers every command and reports the run', async () => {
    const report = await runSoak({
      devices: 300,
      rate: 4,
      minutes: 0.5,
      kind,
      generators: 2,
      commandTimeoutMs: 10_000,
      log: (line) => console.info(`[fleet] ${line}`),
    });
    console.info(`fleet: ${JSON.stringify(report.scale)}`);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0 });
    expect(report.commandsSent).toBeGreaterThan(200);
    expect(report.ackedInFirestore).toBe(report.commandsSent);
    const { scale } = report;
    expect(scale.generators).toBe(2);
    expect(scale.onlineAtEnd).toBe(300);
    expect(scale.allOnlineMs).toBeGreaterThanOrEqual(scale.allConnectedMs);
    expect(scale.provisioning.registryMs).toBeGreaterThan(0);
    expect(scale.bridge?.messagesPerSecond).toBeGreaterThan(0);
    expect(scale.bridge?.dropped).toBe(0);
    expect(scale.roundTrip.count).toBe(report.ackedInFirestore);
    expect(scale.processes.generators.rssEndMb).toBeGreaterThan(0);
    expect(scale.processes.broker.cpuPercent).not.toBeNull();
  }, 300_000);
});
