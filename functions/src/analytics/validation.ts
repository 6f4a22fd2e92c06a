import {
  ANALYTICS_MAX_DAYS,
  HISTORY_MAX_POINTS,
  HISTORY_MAX_RANGE_MS,
  HISTORY_RESOLUTIONS,
  type HistoryResolution,
  HOUR_MS,
} from '@esp32cloud/protocol';
import { z } from 'zod';
import { ApiError } from '../http/errors.ts';

// Query checks of the analytics endpoints. Shape errors come from zod (400 invalid_argument, by field); range
// rules get codes of their own so a client can tell "from after to" from "range too long for this resolution".

/** An instant as ISO 8601 or milliseconds since the epoch. */
const instant = z
  .string()
  .trim()
  .min(1, 'required')
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO 8601 date-time or milliseconds since the epoch' });
      return z.NEVER;
    }
    return ms;
  });

export const historyQuerySchema = z.object({
  from: instant,
  to: instant,
  resolution: z.enum(HISTORY_RESOLUTIONS).default('hour'),
});

export const fleetQuerySchema = z.object({
  days: z.coerce.number().int('a whole number of days').min(1).max(ANALYTICS_MAX_DAYS).default(30),
});

export interface HistoryRange {
  from: number;
  to: number;
  resolution: HistoryResolution;
}

/** Points one answer may hold per reading: raw = one per minute, hour = one per hour, day = one per day. */
const POINT_MS: Record<HistoryResolution, number> = { raw: 60_000, hour: HOUR_MS, day: 24 * HOUR_MS };

export function checkHistoryRange(query: z.infer<typeof historyQuerySchema>, now: number): HistoryRange {
  const { from, to, resolution } = query;
  if (from >= to) throw new ApiError(400, 'invalid_range', '`from` must be before `to`.');
  if (from > now) throw new ApiError(400, 'invalid_range', '`from` is in the future.');
  const limit = HISTORY_MAX_RANGE_MS[resolution];
  if (to - from > limit)
    throw new ApiError(
      400,
      'range_too_long',
      `A ${resolution} history covers at most ${limit / 86_400_000} days; ask for a coarser resolution or a shorter range.`,
    );
  if ((to - from) / POINT_MS[resolution] > HISTORY_MAX_POINTS)
    throw new ApiError(400, 'too_many_points', `At most ${HISTORY_MAX_POINTS} points per answer.`);
  return { from, to, resolution };
}
