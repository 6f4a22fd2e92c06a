import { percentile } from '../lib/bench-figures.ts';
import type { GeneratorFleet } from './fleet.ts';
import type { Rig } from './rig.ts';

// The soak's faults (issue 17): the broker killed (SIGKILL) and restarted, the bridge killed and restarted,
// the Firestore emulator stopped and started again; each step also measures how the platform came back
// (devices reconnected after the broker's return, the bridge's backlog written after its return).

export type SoakBreak = 'broker' | 'bridge' | 'firestore';

export interface RecoveryFigures {
  /** Broker restart → each device connected again (ms after the broker was back). */
  brokerRestart?: { devices: number; reconnected: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Bridge restart → every ack devices had sent by then written in Firestore (ms after the bridge was back). */
  bridgeRestartDrainedMs?: number;
}

export interface ChaosContext {
  rig: Rig;
  fleet: GeneratorFleet;
  /** How many commands devices have acknowledged so far. */
  deviceAcks(): number;
  /** How many commands Firestore shows acked. */
  ackedInFirestore(): Promise<number>;
  note(line: string): void;
  figures: RecoveryFigures;
}

export interface ChaosStep {
  atMs: number;
  run(ctx: ChaosContext): Promise<void>;
}

const BREAKS: Record<SoakBreak, (outageMs: number) => ChaosStep['run']> = {
  broker:
    () =>
    async ({ rig, fleet, note, figures }) => {
      note('chaos: broker killed (SIGKILL)');
      await rig.killBroker();
      const reconnectedAt = new Map<string, number>();
      const reconnected = (serial: string, at: number) => {
        if (!reconnectedAt.has(serial)) reconnectedAt.set(serial, at);
      };
      fleet.events.on('connected', reconnected);
      await sleep(3000);
      await rig.startBrokerAgain();
      const back = Date.now();
      note('chaos: broker back');
      for (let waited = 0; waited < 60_000 && reconnectedAt.size < fleet.size; waited += 200)
        await sleep(200);
      fleet.events.off('connected', reconnected);
      const delays = [...reconnectedAt.values()].map((at) => Math.max(0, at - back)).sort((a, b) => a - b);
      figures.brokerRestart = {
        devices: fleet.size,
        reconnected: delays.length,
        p50Ms: percentile(delays, 50),
        p99Ms: percentile(delays, 99),
        maxMs: delays.at(-1) ?? 0,
      };
      note(
        `chaos: ${delays.length}/${fleet.size} devices reconnected, p99 ${figures.brokerRestart.p99Ms} ms`,
      );
    },
  bridge:
    () =>
    async ({ rig, note, figures, deviceAcks, ackedInFirestore }) => {
      note('chaos: bridge killed (SIGKILL)');
      await rig.killBridge();
      await sleep(3000);
      await rig.startBridge();
      const back = Date.now();
      const target = deviceAcks();
      note('chaos: bridge back');
      for (let waited = 0; waited < 180_000; waited += 250) {
        if ((await ackedInFirestore().catch(() => 0)) >= target) {
          figures.bridgeRestartDrainedMs = Date.now() - back;
          note(`chaos: bridge backlog drained in ${figures.bridgeRestartDrainedMs} ms`);
          return;
        }
        await sleep(250);
      }
      note('chaos: bridge backlog not drained within 180 s');
    },
  firestore:
    (outageMs) =>
    async ({ rig, note }) => {
      note(`chaos: Firestore emulator stopped for ${Math.round(outageMs / 1000)} s`);
      await rig.stopFirestore();
      await sleep(outageMs);
      await rig.startFirestore();
      note('chaos: Firestore emulator back');
    },
};

/** What breaks when: chaos is the broker, then the bridge, then Firestore; `breaks` are spread evenly. */
export function chaosPlan(
  options: { chaos?: boolean; breaks?: SoakBreak[]; firestoreOutageMs?: number },
  durationMs: number,
): ChaosStep[] {
  const breaks: SoakBreak[] = options.chaos ? ['broker', 'bridge', 'firestore'] : (options.breaks ?? []);
  const outageMs = options.firestoreOutageMs ?? 30_000;
  return breaks.map((kind, i) => ({
    atMs: (durationMs * (i + 1)) / (breaks.length + 1),
    run: BREAKS[kind](outageMs),
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
