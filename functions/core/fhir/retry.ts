/**
 * When a Task that is behind is tried again (CONTRACT §13: "within 2 minutes of
 * the server answering again ..., not at the next hourly sweep; the follow-up
 * page says when the next try is"), as plain functions of plain data.
 *
 * The writer sends the pending records every FHIR_RETRY_SECONDS on a schedule of
 * its own (FHIR_POLL_SECONDS is 300 s by default, too long for the promise), and
 * at once after any answer that shows the server is back (a write, a poll, a
 * notice's read). A try that met an outage is due again at the next tick; one
 * moved behind for its own failures waits out the catch-up's backoff
 * (core/catch-up-backoff.ts) and is not due before it.
 */

/** How often the writer sends the pending records whatever else happens: well within the 2-minute promise. */
export const FHIR_RETRY_SECONDS = 60;
const TICK_MS = FHIR_RETRY_SECONDS * 1000;

/** The writer's scheduled retry event (its own EventBridge rule's constant input), told from the poll's `aws.events`. */
export const FHIR_RETRY_EVENT = { fhir: 'retry_pending' } as const;

export function isRetryEvent(event: unknown): event is typeof FHIR_RETRY_EVENT {
  return typeof event === 'object' && event !== null && (event as { fhir?: unknown }).fhir === FHIR_RETRY_EVENT.fhir;
}

/** At most this many pending records are sent by one trigger; the rest go at the next one. */
export const FHIR_RETRY_PAGE = 25;

/**
 * The bound of the pending records due at `now` for a retry run: the records
 * moved behind by an outage (due at the next tick, so at most one tick from
 * now) are sent at once when the server answers; those waiting out a backoff
 * (an hour or more) are not.
 */
export function retryHorizon(now: Date): Date {
  return new Date(now.getTime() + TICK_MS);
}

/**
 * The next try after a try that met the server unavailable at `failedAt`: the
 * next tick, or after the server's `Retry-After` when it asked for longer.
 */
export function nextTryAfterOutage(failedAt: Date, retryAfterMs: number | null = null): Date {
  return new Date(failedAt.getTime() + Math.max(TICK_MS, retryAfterMs ?? 0));
}

/**
 * The next try the follow-up page shows, from the one recorded at the Task's
 * last failed try: that one while it is ahead of `now`; once it has passed with
 * the Task still behind (the server still down, so the ticks stopped before
 * reaching this Task), the first tick after `now` counted from it: every tick
 * tries again, and sends this Task once the server answers. Null when none
 * was recorded.
 */
export function shownNextTry(recorded: string | null, now: Date): string | null {
  if (recorded === null) return null;
  const at = Date.parse(recorded);
  if (Number.isNaN(at)) return null;
  if (at > now.getTime()) return new Date(at).toISOString();
  const ticks = Math.floor((now.getTime() - at) / TICK_MS) + 1;
  return new Date(at + ticks * TICK_MS).toISOString();
}
