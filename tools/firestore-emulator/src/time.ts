import type { Timestamp } from './types.ts';

// Commit times are microseconds since the epoch (Firestore's precision), strictly increasing per process so
// that every commit has its own version and listeners can order them.

let lastMicros = 0n;

export function nextCommitMicros(): bigint {
  const now = BigInt(Date.now()) * 1000n;
  lastMicros = now > lastMicros ? now : lastMicros + 1n;
  return lastMicros;
}

export function currentMicros(): bigint {
  const now = BigInt(Date.now()) * 1000n;
  return now > lastMicros ? now : lastMicros;
}

export function microsToTimestamp(micros: bigint): Timestamp {
  const seconds = micros / 1_000_000n;
  const rest = micros % 1_000_000n;
  return { seconds: seconds.toString(), nanos: Number(rest) * 1000 };
}

export function timestampToMicros(timestamp: Timestamp | undefined | null): bigint {
  if (!timestamp) return 0n;
  return BigInt(timestamp.seconds ?? '0') * 1_000_000n + BigInt(Math.floor((timestamp.nanos ?? 0) / 1000));
}

export function timestampsEqual(a: Timestamp, b: Timestamp): boolean {
  return String(a.seconds ?? '0') === String(b.seconds ?? '0') && (a.nanos ?? 0) === (b.nanos ?? 0);
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const as = BigInt(a.seconds ?? '0');
  const bs = BigInt(b.seconds ?? '0');
  if (as !== bs) return as < bs ? -1 : 1;
  return Math.sign((a.nanos ?? 0) - (b.nanos ?? 0));
}

/** A Timestamp as RFC 3339 text, with the shortest of 0, 3, 6 or 9 fraction digits (as proto3 JSON prints it). */
export function rfc3339(timestamp: { seconds?: unknown; nanos?: unknown }): string {
  const seconds = BigInt(String(timestamp.seconds ?? '0'));
  const nanos = Number(timestamp.nanos ?? 0);
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const base = iso.slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  let fraction = String(nanos).padStart(9, '0');
  // Shortest of 3, 6 or 9 digits, like the proto3 JSON printers.
  if (fraction.endsWith('000000')) fraction = fraction.slice(0, 3);
  else if (fraction.endsWith('000')) fraction = fraction.slice(0, 6);
  return `${base}.${fraction}Z`;
}
