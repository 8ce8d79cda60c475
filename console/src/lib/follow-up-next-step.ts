/**
 * The "What to do next" box of a follow-up (CONTRACT §12, "Working a shift"):
 * the same next-steps text the alerts and the digest carry
 * (functions/core/next-steps.ts), for the reason that applies to it now.
 */
import { nextStepFor } from '../../../functions/core/next-steps';
import type { NotificationReason } from '../../../functions/core/reasons';
import type { FollowUp } from './types';

const REASONS: readonly NotificationReason[] = ['redraw_not_created', 'no_progress', 'appointment_missed', 'not_acknowledged', 'redraw_failed', 'results_still_missing', 'no_redraw'];

function asReason(value: string | null | undefined): NotificationReason | null {
  return REASONS.find((reason) => reason === value) ?? null;
}

/** Its attention when set, else its stale flag's reason, else not_acknowledged while it is new; null when none applies (closed, or nothing to say). */
export function nextStepReason(followUp: Pick<FollowUp, 'state' | 'attention' | 'stale'>): NotificationReason | null {
  if (followUp.state === 'closed') return null;
  return asReason(followUp.attention) ?? asReason(followUp.stale?.reason) ?? (followUp.state === 'new' ? 'not_acknowledged' : null);
}

/** The next-steps text for the follow-up, or null when no box is shown. */
export function nextStepText(followUp: Pick<FollowUp, 'state' | 'attention' | 'stale'>): string | null {
  const reason = nextStepReason(followUp);
  return reason === null ? null : nextStepFor(reason);
}
