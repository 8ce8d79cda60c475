/** Words for the states and small values the pages show (ids, states, handles and times only). */
import { dispositionsInOrder } from '../../../functions/core/missing-words';
import { REASON_TEXT } from '../../../functions/core/reason-text';
import { choiceWords, DISPOSITIONS } from './actions';
import { timeWords } from './urgency';
import type { FollowUp, LastContact } from './types';

export const STATE_WORDS: Readonly<Record<string, string>> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  closed: 'Closed',
};

export function stateWords(state: string): string {
  return STATE_WORDS[state] ?? state.replaceAll('_', ' ');
}

export function ownerWords(owner: string | null): string {
  return owner ?? 'No owner';
}

/** Whose a follow-up is, as its first screen says it (issue 58): the person's own, nobody's, or someone else's, said so. */
export function ownerLine(owner: string | null, me: string): string {
  if (owner === null) return 'Nobody’s yet: Take it makes it yours.';
  if (owner === me) return `Yours (${owner}).`;
  return `${owner}’s: someone else owns it.`;
}

export function lastContactWords(contact: LastContact | null): string {
  if (!contact) return 'None';
  return `${choiceWords(contact.channel)}, ${choiceWords(contact.outcome).toLowerCase()}, ${timeWords(contact.at)}`;
}

/** The owner to set when a person takes a follow-up: themselves, unless it already has one. */
export function takeItOwner(followUp: Pick<FollowUp, 'owner'>, me: string): string | undefined {
  return followUp.owner === null ? me : undefined;
}

/** The close form's dispositions, clinician_accepted_partial_results first when every missing marker is non_failure (CONTRACT §9). */
export function closeChoices(followUp: Pick<FollowUp, 'missing'>): Record<string, string> {
  const order = dispositionsInOrder(Object.keys(DISPOSITIONS) as Array<keyof typeof DISPOSITIONS>, followUp.missing ?? null);
  return Object.fromEntries(order.map((key) => [key, DISPOSITIONS[key]]));
}

/** A stale flag's reason in words (REASON_TEXT's `words`); a reason the sweep learns later reads as itself with spaces. */
export function reasonWords(reason: string): string {
  return Object.hasOwn(REASON_TEXT, reason) ? REASON_TEXT[reason]!.words : reason.replaceAll('_', ' ');
}
