/**
 * What a person does next about a stale redraw (or a follow-up nobody has
 * acknowledged, or one with an attention: a person decides), per reason: the one text the
 * notifications (e-mail, chat, JSON), the CLI and docs/deploy.md all give (a
 * test checks that docs/deploy.md quotes each one).
 *
 * Junction creates the redraw order itself (DOMAIN.md, "Acting on a redraw"):
 * no text ever tells anyone to create one, which could give the patient a
 * second order. Plain sentences, no markup: they go to e-mail, chat and a
 * terminal alike. Ids, statuses and times only ever travel beside them.
 */
import { canonicalInstant } from './instant';
import type { AppointmentTiming, NotificationReason } from './reasons';

/**
 * Where the appointment_missed text names the booked time: nextStepFor fills
 * it in; docs/deploy.md quotes the text with it as it is.
 */
export const BOOKED_TIME = '{booked_time}';

/**
 * The next step for the team (the people who work the redraws), per reason:
 * `next_step` in a notification's JSON, "For the team:" in its text.
 */
export const NEXT_STEPS: Readonly<Record<NotificationReason, string>> = {
  redraw_not_created:
    "Open the order in Junction's dashboard. If a redraw order exists there, its webhooks did not reach the tracker: tell whoever runs the tracker, and work the redraw order in Junction meanwhile. If none exists, ask Junction support: Junction creates the redraw order itself, so do not create one (the patient would get a second order). The flag clears by itself when the redraw order appears.",
  no_progress:
    'Check with the patient whether the new draw happened or is booked (an appointment, a kit on its way) and help them book it; if the redraw will not happen, cancel the order in Junction. The flag clears by itself when the order moves on or ends.',
  appointment_missed:
    `The patient had an appointment at ${BOOKED_TIME} and did not come: the redraw order has not moved on since. Contact the patient, find out what happened and help them book a new appointment (a new booking clears the flag until its own time has passed); if the redraw will not happen, cancel the order in Junction. The flag clears by itself when the order moves on or ends.`,
  not_acknowledged:
    "Nobody has acknowledged this redraw's follow-up yet. Decide who works on it and acknowledge it with that owner (the follow-up's acknowledge action), then contact the patient about the redraw and record each attempt on the follow-up. This reminder goes out once per follow-up.",
  redraw_failed:
    "The redraw order ended without the missing results (a sample error, a lost sample or a cancellation: its status says which), and Junction supports one redraw per transaction, so no other redraw will come for this one. A person decides what happens next, with the clinician: either order a new test for the patient through Junction (a new order, with its own transaction) and close this follow-up as reordered (the new order's id as its reference), or close it with another disposition (patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere or other). It stays first in the worklist until then. This notice goes out once per failed redraw.",
  results_still_missing:
    "The redraw order completed, but some results are still missing (Junction completes a redraw regardless, and supports one redraw per transaction), so no other redraw will come for this one. A person decides what happens next, with the clinician: either order a new test for the patient through Junction (a new order, with its own transaction) and close this follow-up as reordered (the new order's id as its reference), or close it with another disposition (clinician_accepted_partial_results when the missing markers should not affect the patient, or patient_declined, patient_unreachable, tested_elsewhere or other). It stays first in the worklist until then. This notice goes out once per incomplete redraw.",
  no_redraw:
    "The order ended with results missing and Junction will not redraw it (a test kit, an at-home draw, a lost sample, or a lab without redraws). A person decides what happens next, with the clinician: either order a new test for the patient through Junction (a new order, with its own transaction) and close this follow-up as reordered (the new order's id as its reference), or close it with another disposition (clinician_accepted_partial_results when the missing markers should not affect the patient, or patient_declined, patient_unreachable, tested_elsewhere or other). It stays first in the worklist until then. This notice goes out once per episode.",
};

/**
 * The next step for whoever runs the tracker (an engineer, not the team), for
 * the reasons that may be the tracker's own trouble: `next_step_operator` in a
 * notification's JSON, "For whoever runs the tracker:" in its text.
 */
export const OPERATOR_STEPS: Readonly<Partial<Record<NotificationReason, string>>> = {
  redraw_not_created:
    "If Junction's dashboard shows a redraw order the tracker does not know, its webhooks were lost: check the endpoint's deliveries in Junction's webhook settings (a failing or disabled endpoint, or a signing secret rotated on one side only: the Webhooks metric's invalid_signature) and recover the failed messages there. With a Junction API key set, the tracker's sync repairs lost webhooks by itself (docs/reconcile.md).",
};

/** The operator's next step for this reason, or null when it is the team's alone. */
export function operatorStepFor(reason: NotificationReason): string | null {
  return OPERATOR_STEPS[reason] ?? null;
}

/**
 * The team's next step for a notification of this reason; `appointment`: the redraw
 * order's (CONTRACT §10), whose start the appointment_missed text names
 * ("2026-03-05 14:00 UTC"), or "its booked time" when it gives none.
 */
export function nextStepFor(reason: NotificationReason, appointment?: Pick<AppointmentTiming, 'start_at'> | null): string {
  const text = NEXT_STEPS[reason];
  if (!text.includes(BOOKED_TIME)) return text;
  return text.replace(BOOKED_TIME, bookedTime(appointment?.start_at ?? null));
}

/** "2026-03-05 14:00 UTC" (whole minutes), or "its booked time". */
function bookedTime(startAt: string | null): string {
  const canonical = startAt === null ? null : canonicalInstant(startAt);
  return canonical === null ? 'its booked time' : `${canonical.slice(0, 10)} ${canonical.slice(11, 16)} UTC`;
}

export { REASON_TEXT, reasonText } from './reason-text';

/** Where the CLI reaches the tracker: the local one, or a deployed stack in a region. */
export interface CommandTarget {
  deployed?: { stack: string; region: string | undefined } | undefined;
}

/** ` --stack RedrawTracker --region us-east-1` for a deployed stack, nothing locally. */
function targetFlags(target: CommandTarget): string {
  const deployed = target.deployed;
  if (!deployed) return '';
  return ` --stack ${deployed.stack}${deployed.region ? ` --region ${deployed.region}` : ''}`;
}

/**
 * The CLI lines that work a follow-up, each a command that runs as printed
 * (ids are ResourceIds, safe in a shell; no placeholder in angle brackets):
 * `take_it` acknowledges it for REDRAW_TRACKER_OWNER (on AWS, the caller's own
 * identity) when nobody owns it; `contact`, `snooze` and `close` record what
 * happened, with one of their allowed values each (`--help` lists the others;
 * `close` takes `disposition`, patient_declined unless the notice suggests another).
 */
export interface FollowUpCommands {
  take_it: string;
  contact: string;
  snooze: string;
  close: string;
}

export function followUpCommands(followUpId: string, target: CommandTarget = {}, disposition = 'patient_declined'): FollowUpCommands {
  const flags = targetFlags(target);
  return {
    take_it: `npx redraw-tracker ack ${followUpId}${flags}`,
    contact: `npx redraw-tracker contact ${followUpId} --channel phone --outcome reached${flags}`,
    snooze: `npx redraw-tracker snooze ${followUpId} --for 2d --reason patient_requested${flags}`,
    close: `npx redraw-tracker close ${followUpId} --disposition ${disposition}${flags}`,
  };
}

/** What the take-it line does, said beside it. */
export const TAKE_IT_NOTE = 'you become its owner: REDRAW_TRACKER_OWNER locally, your own identity on AWS; --owner <handle> gives it to someone else';
