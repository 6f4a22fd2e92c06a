// `npm start` keeps its long-running parts alive: a part that ends without being asked (Mosquitto killed, the
// bridge crashing, the simulated fleet dying) is started again after a backoff that doubles per failed try and
// resets once the part has stayed up a while. Every exit and every return is logged; status() is what the
// stack's health endpoint and the start table show.

/** One run of a part: its process id, a promise settled when it ends by itself, and how to end it. */
export interface PartRun {
  pid: number;
  /** Settles with a short reason (exit code or signal) when the run ends. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export type PartState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface PartStatus {
  name: string;
  state: PartState;
  pid: number | null;
  restarts: number;
  /** ISO time the current state began. */
  since: string;
  /** Why the last run ended, when one has. */
  lastExit: string | null;
}

export interface SupervisedPart {
  status(): PartStatus;
  /** No more restarts from now on (the whole stack is stopping); stop() ends the running part. */
  halt(): void;
  /** Ends the part for good (no restart). */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  /** First wait before a restart, doubled per failed try up to maxMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A run that lasted this long counts as healthy: the next restart waits initialDelayMs again. */
  healthyAfterMs?: number;
  log?: (line: string) => void;
}

/** Starts a part (the first start must succeed) and restarts it whenever it ends by itself. */
export async function supervise(
  name: string,
  start: () => Promise<PartRun>,
  options: SuperviseOptions = {},
): Promise<SupervisedPart> {
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const healthyAfterMs = options.healthyAfterMs ?? 30_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const status: PartStatus = {
    name,
    state: 'starting',
    pid: null,
    restarts: 0,
    since: new Date().toISOString(),
    lastExit: null,
  };
  const enter = (state: PartState, pid: number | null = status.pid) => {
    status.state = state;
    status.pid = pid;
    status.since = new Date().toISOString();
  };
  let current: PartRun | null = await start();
  enter('running', current.pid);
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const watch = async (run: PartRun) => {
    let delay = initialDelayMs;
    let startedAt = Date.now();
    for (;;) {
      const reason = await run.exited;
      if (stopping) return;
      status.lastExit = reason;
      if (Date.now() - startedAt >= healthyAfterMs) delay = initialDelayMs;
      current = null;
      enter('restarting', null);
      for (;;) {
        status.restarts++;
        log(`[supervisor] ${name} ended (${reason}); restart ${status.restarts} in ${formatMs(delay)}`);
        await sleep(delay);
        if (stopping) return;
        delay = Math.min(maxDelayMs, delay * 2);
        try {
          run = await start();
        } catch (error) {
          log(`[supervisor] ${name} did not start: ${firstLine(error)}`);
          continue;
        }
        if (stopping) {
          await run.stop();
          return;
        }
        current = run;
        startedAt = Date.now();
        enter('running', run.pid);
        log(`[supervisor] ${name} is running again (pid ${run.pid})`);
        break;
      }
    }
  };
  const watching = watch(current);

  return {
    status: () => ({ ...status }),
    halt() {
      stopping = true;
      wakeUp?.();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      const run = current;
      current = null;
      if (run) await run.stop();
      // A restart under way finishes starting and is stopped at once by watch().
      await watching;
      enter('stopped', null);
    },
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
