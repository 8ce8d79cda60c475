/**
 * The "What to do next" box of a follow-up (CONTRACT §12, "Working a shift";
 * issue 58): the console's own words, keyed by the same reasons as the
 * next-steps text the alerts, the digest and the CLI carry
 * (functions/core/next-steps.ts), which stays theirs. On the page a person
 * reads choices by their names on the page (no raw codes) and nothing of an
 * alert's delivery ("this notice goes out once").
 */
import type { NotificationReason } from '../../../functions/core/reasons';
import type { FollowUp } from './types';

/** The close's choices as the Close form names them, for the reasons where a person decides. */
const DECIDE =
  'A person decides what happens next, with the clinician: either order a new test for the patient through Junction (a new order, with its own transaction) and close this follow-up as “Reordered at Junction” (the new order’s id as its reference), or close it as “Patient declined”, “Patient unreachable”, “Clinician accepted partial results”, “Tested elsewhere” or “Other”. It stays first in the worklist until then.';

/** What to do next on the follow-up's page, per reason. */
export const CONSOLE_STEPS: Readonly<Record<NotificationReason, string>> = {
  redraw_not_created:
    'Open the order in Junction’s dashboard. If a redraw order exists there, its updates did not reach the tracker: tell whoever runs the tracker, and work the redraw order in Junction meanwhile. If none exists, ask Junction support: Junction creates the redraw order itself, so do not create one (the patient would get a second order). The flag clears by itself when the redraw order appears.',
  no_progress:
    'Check with the patient whether the new draw happened or is booked (an appointment, a kit on its way) and help them book it; if the redraw will not happen, cancel the order in Junction. The flag clears by itself when the order moves on or ends.',
  appointment_missed:
    'The patient missed the redraw’s appointment: the redraw order has not moved on since. Contact the patient, find out what happened and help them book a new appointment (a new booking clears the flag until its own time has passed); if the redraw will not happen, cancel the order in Junction. The flag clears by itself when the order moves on or ends.',
  not_acknowledged:
    'Nobody works on this follow-up yet. Take it (you become its owner), or assign it to whoever will; then contact the patient about the redraw and record each attempt here (Record contact).',
  redraw_failed: `The redraw order ended without the missing results (a sample error, a lost sample or a cancellation: its status says which), and Junction redraws once per transaction, so no other redraw will come for this one. ${DECIDE}`,
  results_still_missing: `The redraw order completed, but some results are still missing (Junction completes a redraw regardless, and redraws once per transaction), so no other redraw will come for this one. ${DECIDE} “Clinician accepted partial results” fits when the missing markers should not affect the patient.`,
  no_redraw: `The order ended with results missing and Junction will not redraw it (a test kit, an at-home draw, a lost sample, or a lab without redraws). ${DECIDE} “Clinician accepted partial results” fits when the missing markers should not affect the patient.`,
};

const REASONS = Object.keys(CONSOLE_STEPS) as readonly NotificationReason[];

function asReason(value: string | null | undefined): NotificationReason | null {
  return REASONS.find((reason) => reason === value) ?? null;
}

/** Its attention when set, else its stale flag's reason, else not_acknowledged while it is new; null when none applies (closed, or nothing to say). */
export function nextStepReason(followUp: Pick<FollowUp, 'state' | 'attention' | 'stale'>): NotificationReason | null {
  if (followUp.state === 'closed') return null;
  return asReason(followUp.attention) ?? asReason(followUp.stale?.reason) ?? (followUp.state === 'new' ? 'not_acknowledged' : null);
}

/** The console's next step for the follow-up, or null when no box is shown. */
export function nextStepText(followUp: Pick<FollowUp, 'state' | 'attention' | 'stale'>): string | null {
  const reason = nextStepReason(followUp);
  return reason === null ? null : CONSOLE_STEPS[reason];
}
