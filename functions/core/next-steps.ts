/**
 * What a person does next about a stale redraw (or a follow-up nobody has
 * acknowledged), per reason: the one text the
 * notifications (e-mail, chat, JSON), the CLI and docs/deploy.md all give (a
 * test checks that docs/deploy.md quotes each one).
 *
 * Junction creates the redraw order itself (DOMAIN.md, "Acting on a redraw"):
 * no text ever tells anyone to create one, which could give the patient a
 * second order. Plain sentences, no markup: they go to e-mail, chat and a
 * terminal alike. Ids, statuses and times only ever travel beside them.
 */
import type { NotificationReason } from './staleness';

export const NEXT_STEPS: Readonly<Record<NotificationReason, string>> = {
  redraw_not_created:
    "Open the order in Junction's dashboard. If a redraw order exists there, its webhooks did not reach the tracker: check the endpoint's deliveries in Junction's webhook settings. If none exists, ask Junction support: Junction creates the redraw order itself, so do not create one (the patient would get a second order). The flag clears by itself when the redraw order appears.",
  no_progress:
    'Check with the patient whether the new draw happened or is booked (an appointment, a kit on its way) and help them book it; if the redraw will not happen, cancel the order in Junction. The flag clears by itself when the order moves on or ends.',
  not_acknowledged:
    "Nobody has acknowledged this redraw's follow-up yet. Decide who works on it and acknowledge it with that owner (the follow-up's acknowledge action), then contact the patient about the redraw and record each attempt on the follow-up. This reminder goes out once per follow-up.",
};

/** The next step for a notification of this reason. */
export function nextStepFor(reason: NotificationReason): string {
  return NEXT_STEPS[reason];
}
