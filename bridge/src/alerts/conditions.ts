import type { AlertCondition } from '@esp32cloud/protocol';

// The pure part of alert evaluation: a threshold with hysteresis and a minimum duration, as a small state
// machine per rule and device. No clocks, no Firestore: the feature feeds it readings and times.
//
//   idle ──value past threshold──▶ pending ──held for `minutes`──▶ firing ──back past threshold ± hysteresis──▶ idle
//                                     └──back past threshold ± hysteresis──▶ idle
//
// Between the threshold and the hysteresis band nothing changes, so a value hovering at the threshold
// (8.1, 7.9, 8.1…) fires once and stays fired.

export type ThresholdCondition = Extract<AlertCondition, { kind: 'threshold' }>;
export type TrackerPhase = 'idle' | 'pending' | 'firing';

export interface ThresholdTracker {
  phase: TrackerPhase;
  /** When the value first went past the threshold in this pending spell. */
  since: number;
}

export type ThresholdStep = 'none' | 'pending' | 'fire' | 'cancel' | 'resolve';

export function crossed(c: ThresholdCondition, value: number): boolean {
  return c.direction === 'above' ? value > c.threshold : value < c.threshold;
}

export function cleared(c: ThresholdCondition, value: number): boolean {
  return c.direction === 'above' ? value <= c.threshold - c.hysteresis : value >= c.threshold + c.hysteresis;
}

/** Advances `tracker` for one reading at `now` (ms per minute given, so tests can shrink time). */
export function stepThreshold(
  c: ThresholdCondition,
  tracker: ThresholdTracker,
  value: number,
  now: number,
  msPerMinute: number,
): ThresholdStep {
  switch (tracker.phase) {
    case 'idle':
      if (!crossed(c, value)) return 'none';
      tracker.phase = 'pending';
      tracker.since = now;
      return dueStep(c, tracker, now, msPerMinute);
    case 'pending':
      if (cleared(c, value)) {
        tracker.phase = 'idle';
        return 'cancel';
      }
      return dueStep(c, tracker, now, msPerMinute);
    case 'firing':
      if (!cleared(c, value)) return 'none';
      tracker.phase = 'idle';
      return 'resolve';
  }
}

/** For a pending tracker: fire when it has been held long enough (also called from a timer). */
export function dueStep(
  c: ThresholdCondition,
  tracker: ThresholdTracker,
  now: number,
  msPerMinute: number,
): ThresholdStep {
  if (tracker.phase !== 'pending') return 'none';
  if (now - tracker.since < c.minutes * msPerMinute) return 'pending';
  tracker.phase = 'firing';
  return 'fire';
}
