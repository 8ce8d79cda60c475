/**
 * FOLLOW_UP_MISSING_RESULTS (CONTRACT §9): `on` (the default) opens a follow-up
 * for a transaction that ended with results missing and never had a redraw
 * (`attention: "no_redraw"`); `off` keeps the tracker to redraws only (an
 * incomplete redraw is still kept open). It changes only what opens from then
 * on. A stack setting and an `npm start` one, read by the transaction function.
 */
import * as z from 'zod/mini';
import type { SituationOptions } from '../core/follow-up/situation';

export const FollowUpMissingResultsEnv = z.object({
  FOLLOW_UP_MISSING_RESULTS: z._default(z.enum(['on', 'off']), 'on'),
});

export function situationOptionsOf(env: z.output<typeof FollowUpMissingResultsEnv>): SituationOptions {
  return { missingResults: env.FOLLOW_UP_MISSING_RESULTS === 'on' };
}

