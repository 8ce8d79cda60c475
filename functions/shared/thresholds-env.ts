/**
 * The stale thresholds' settings (CONTRACT §4, §10), read by the sweep (which
 * flags), by the transaction function (which keeps each follow-up's `due_at`,
 * §9) and by the follow-up actions (which recompute it): checked at start,
 * positive, and small enough to be dates.
 */
import * as z from 'zod/mini';
import { DEFAULT_APPOINTMENT_GRACE_HOURS, type StaleThresholds } from '../core/staleness';

export const ThresholdsEnv = z.object({
  REDRAW_STALE_AFTER_DAYS: z._default(z.coerce.number().check(z.positive(), z.maximum(3650)), 7),
  REDRAW_MISSING_AFTER_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(87_600)), 24),
  /** CONTRACT §10: no_progress waits for a booked appointment's start plus this; after it, appointment_missed. */
  APPOINTMENT_GRACE_HOURS: z._default(z.coerce.number().check(z.positive(), z.maximum(8760)), DEFAULT_APPOINTMENT_GRACE_HOURS),
});

/** Thresholds from parsed settings (see ThresholdsEnv). */
export function thresholdsOf(env: z.output<typeof ThresholdsEnv>): StaleThresholds {
  return { staleAfterDays: env.REDRAW_STALE_AFTER_DAYS, missingAfterHours: env.REDRAW_MISSING_AFTER_HOURS, appointmentGraceHours: env.APPOINTMENT_GRACE_HOURS };
}
