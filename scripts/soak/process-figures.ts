import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

// What the soak reads about the processes it runs: memory (VmRSS) and CPU time from /proc, the machine's load
// average, and the bridge's ingest counters (the file BRIDGE_STATS_FILE names, bridge/src/main.ts).

export interface ProcessSample {
  /** Process ids sampled (a group, e.g. the generators, is summed). */
  pids: number[];
  rssMb: number;
  /** CPU seconds (user + system) so far. */
  cpuSeconds: number;
  /** How many of the pids were running. */
  alive: number;
  at: number;
}

export interface ProcessFigures {
  rssStartMb: number;
  rssEndMb: number;
  /** Share of one core over the window; null when the process was replaced or stopped meanwhile. */
  cpuPercent: number | null;
}

const TICKS_PER_SECOND = 100;

export function sampleProcesses(pids: number[]): ProcessSample {
  let rssKb = 0;
  let ticks = 0;
  let alive = 0;
  for (const pid of pids) {
    try {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      // Fields after the command name: state is 3rd, utime 14th and stime 15th of the whole line.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      alive++;
    } catch {
      // gone: counts as nothing
    }
  }
  return {
    pids,
    rssMb: Math.round(rssKb / 1024),
    cpuSeconds: ticks / TICKS_PER_SECOND,
    alive,
    at: Date.now(),
  };
}

export function processFigures(start: ProcessSample, end: ProcessSample): ProcessFigures {
  const same =
    start.pids.length === end.pids.length &&
    start.pids.every((pid, i) => end.pids[i] === pid) &&
    end.alive === end.pids.length;
  const seconds = (end.at - start.at) / 1000;
  return {
    rssStartMb: start.rssMb,
    rssEndMb: end.rssMb,
    cpuPercent:
      same && seconds > 0 ? Math.round(((end.cpuSeconds - start.cpuSeconds) / seconds) * 100) : null,
  };
}

export interface BridgeCounters {
  received: number;
  processed: number;
  dropped: number;
  writes: number;
  acks: number;
}

export function readBridgeCounters(file: string): BridgeCounters | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BridgeCounters;
  } catch {
    return null;
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

/** Messages and writes per second between two readings of the bridge's counters (null: no readings, or the bridge restarted). */
export function bridgeRates(start: BridgeCounters | null, end: BridgeCounters | null, seconds: number) {
  if (!start || !end || end.received < start.received) return null;
  return {
    messagesPerSecond: (end.received - start.received) / seconds,
    writesPerSecond: (end.writes - start.writes) / seconds,
    acksPerSecond: (end.acks - start.acks) / seconds,
    dropped: end.dropped - start.dropped,
  };
}

/** 10,000 connections need as many descriptors in the broker (it inherits this process's limit). */
export function checkFileLimit(devices: number): void {
  const limit = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
  if (limit > 0 && limit < devices + 1000)
    throw new Error(
      `open-file limit ${limit} is below ${devices + 1000} (the broker holds one per device): raise it with "ulimit -n ${devices + 1000}" before the run`,
    );
}
