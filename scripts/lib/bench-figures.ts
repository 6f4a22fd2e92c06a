import { whichProgram } from '@esp32cloud/tests/harness/programs';

// How every benchmark (`npm run bench`, <package>/bench/*.ts) computes and labels its figures, so a printed
// figure never claims more than was measured (docs/ENGINEERING.md, "Figures"):
//  - one percentile definition (nearest rank) for all benches;
//  - a p99 only over at least 100 samples; below that the 99th percentile IS the maximum, so the maximum is
//    printed under its own name;
//  - a bench that cannot run (a program is missing) fails, so `npm run bench` exits non-zero instead of
//    printing a SKIP that counts as passed.

/** Samples needed before a p99 says something the maximum does not. */
export const P99_MIN_SAMPLES = 100;

/** Nearest-rank percentile (p in 0..100) of samples sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(sorted(samples), 50);
}

/**
 * "median 12.3 ms, p99 45.6 ms, max 50.1 ms (n=200)", or with fewer than 100 samples
 * "median 12.3 ms, max 50.1 ms (n=50)".
 */
export function latencySummary(samples: readonly number[], options: { digits?: number; unit?: string } = {}) {
  const digits = options.digits ?? 1;
  const unit = options.unit ?? 'ms';
  const values = sorted(samples);
  const show = (value: number) => `${value.toFixed(digits)} ${unit}`;
  const parts = [`median ${show(percentile(values, 50))}`];
  if (values.length >= P99_MIN_SAMPLES) parts.push(`p99 ${show(percentile(values, 99))}`);
  parts.push(`max ${show(values.at(-1) as number)}`);
  return `${parts.join(', ')} (n=${values.length})`;
}

/** The column heading and value for a tail figure: "p99" from 100 samples on, else "max". */
export function tailFigure(samples: readonly number[]): { label: 'p99' | 'max'; value: number } {
  const values = sorted(samples);
  return values.length >= P99_MIN_SAMPLES
    ? { label: 'p99', value: percentile(values, 99) }
    : { label: 'max', value: values.at(-1) as number };
}

/** A bench that needs a program fails without it: its figures were not measured. */
export function requireBenchProgram(name: string, why: string): string {
  const found = whichProgram(name);
  if (found === null)
    throw new Error(`"${name}" is not installed, so ${why} cannot be measured; install it and run again`);
  return found;
}

/** Describes a figure extrapolated from a shorter run, e.g. "extrapolated from 2.4 simulated hours". */
export function extrapolatedFrom(simulatedSeconds: number): string {
  const hours = simulatedSeconds / 3600;
  return `extrapolated from ${hours >= 10 ? hours.toFixed(0) : hours.toFixed(1)} simulated hours`;
}

function sorted(samples: readonly number[]): number[] {
  return [...samples].sort((a, b) => a - b);
}
