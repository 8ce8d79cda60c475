/**
 * Each stale or follow-up reason in words and as a sentence: the one text the
 * notifications, the digest, the CLI and the console give (re-exported by
 * next-steps.ts). No imports, so the console's browser bundle takes it as it is.
 */
/**
 * Per reason: its words (a subject, the digest's "stuck" list, the console), and
 * what is wrong in a sentence. Keyed by
 * text so that a reason the sweep learns later still renders (in its own words).
 */
export const REASON_TEXT: Readonly<Record<string, { words: string; what: string }>> = {
  redraw_not_created: {
    words: 'redraw not created',
    what: 'the lab could not return every result and offered a redraw, but the tracker knows no redraw order yet',
  },
  no_progress: {
    words: 'no progress',
    what: 'the redraw order has not moved on since its last status change',
  },
  appointment_missed: {
    words: 'appointment missed',
    what: 'the patient was booked for the new draw, the appointment has passed and the order has not moved on since',
  },
  not_acknowledged: {
    words: 'follow-up not acknowledged',
    what: 'nobody has acknowledged its follow-up since it opened',
  },
  redraw_failed: {
    words: 'redraw failed',
    what: 'the redraw order ended without the missing results, and Junction supports one redraw per transaction',
  },
  results_still_missing: {
    words: 'incomplete redraw',
    what: 'the redraw order completed with results still missing, and Junction supports one redraw per transaction',
  },
  no_redraw: {
    words: 'result missing without a redraw',
    what: 'the order ended with results missing and Junction will not redraw it',
  },
};

export function reasonText(reason: string): { words: string; what: string } {
  return REASON_TEXT[reason] ?? { words: reason.replaceAll('_', ' '), what: `it is flagged ${reason}` };
}
