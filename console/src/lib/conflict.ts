/**
 * What a 409 conflict tells a person (CONTRACT §12): who changed the follow-up
 * since the page showed it and what they did, in words, from its history; and
 * whether the action they chose is still offered on it as it now is. Never a
 * way to send it again: they choose again on the new state, so no single click
 * undoes a colleague's change.
 */
import { ACTION_WORDS, choiceWords, type ActionName, type FieldChange } from './actions';
import { personAtStart } from './people';
import type { Action, FollowUp } from './types';
import { timeWords } from './urgency';
import { stateWords } from './words';

/** A 409 to an action, as the follow-up's page says it (components/conflict-notice.tsx). */
export interface Conflict {
  action: ActionName;
  takeIt: boolean;
  /** The version the page showed when the action was sent. */
  shown: number;
  changes: FieldChange[];
  /** A 409 invalid_transition: the state it is in now refuses the action (the API's words); null for a version conflict. */
  refused: string | null;
}

/** The actor of work done in the EHR: `ehr:` and who (their reference, e.g. Practitioner/123, or the FHIR server's host). */
const EHR_ACTOR = 'ehr:';

/** Who an actor is, in words, to start a sentence: a person's handle as recorded, the tracker, a chat button, or a user in the EHR by name beside their reference (lib/people.ts). */
export function actorWords(actor: string, display?: unknown): string {
  return personAtStart(actor, display);
}

/** Whether the entry's owner is whoever made it: a handle as recorded, or the EHR user's reference without `ehr:`. */
const ownsIt = (owner: string, entry: Action): boolean => owner === entry.actor || (entry.actor.startsWith(EHR_ACTOR) && owner === entry.actor.slice(EHR_ACTOR.length));

const field = (entry: Action, name: string): string | null | undefined => {
  const value = entry[name];
  return typeof value === 'string' || value === null ? value : undefined;
};

/** What one history entry did, in words, without the actor: "acknowledged it and took it". */
function deedWords(entry: Action): string {
  const owner = field(entry, 'owner');
  switch (entry.action) {
    case 'acknowledge':
      if (owner === undefined || owner === null) return 'acknowledged it';
      return ownsIt(owner, entry) ? 'acknowledged it and took it' : `acknowledged it and gave it to ${owner}`;
    case 'assign':
      if (owner === null || owner === undefined) return 'unassigned it';
      return ownsIt(owner, entry) ? 'took it' : `assigned it to ${owner}`;
    case 'snooze':
      return `snoozed it until ${timeWords(field(entry, 'until') ?? '')} (${choiceWords(field(entry, 'reason')).toLowerCase()})`;
    case 'record_contact':
      return `recorded a contact attempt (${choiceWords(field(entry, 'channel'))}, ${choiceWords(field(entry, 'outcome')).toLowerCase()})`;
    case 'close':
      return `closed it (${choiceWords(field(entry, 'disposition')).toLowerCase()})`;
    case 'unsnooze':
      return 'ended its snooze early';
    case 'reopen':
      return 'reopened it';
    case 'snooze_ended':
      return 'ended its snooze (its time was up)';
    case 'attention':
      return `marked it for attention (${choiceWords(field(entry, 'attention'))})`;
    case 'redraw_order_known':
      return 'learned of its redraw order';
    default:
      return `${entry.action.replaceAll('_', ' ')} (${stateWords(entry.from_state).toLowerCase()} → ${stateWords(entry.to_state).toLowerCase()})`;
  }
}

/** One history entry as a sentence, without version numbers (a person never sees them): "j.doe acknowledged it and took it". */
export function changeWords(entry: Action): string {
  const reference = field(entry, 'reference');
  return `${actorWords(entry.actor, entry.actor_display)} ${deedWords(entry)}${typeof reference === 'string' ? `, reference ${reference}` : ''}`;
}

/**
 * The changes after version `shown` up to `current`'s version, each in words,
 * oldest first. The history holds one entry per version, oldest first, from
 * version 1; a history read before the last change reached it gives what it has.
 */
export function changesSince(history: readonly Action[], shown: number, current: Pick<FollowUp, 'version'>): string[] {
  return history.slice(shown, current.version).map((entry) => changeWords(entry));
}

/**
 * Why the action a person chose is no longer offered on `current` (the page
 * hides its form), or null when it still is: they may choose it again, on
 * purpose. `takeIt`: they chose "Take it" (acknowledge, or assign to themselves, so that they own it); `me`: who they are.
 */
export function noLongerOffered(action: ActionName, takeIt: boolean, current: Pick<FollowUp, 'state' | 'owner' | 'disposition'>, me: string): string | null {
  const words = takeIt ? 'Take it' : ACTION_WORDS[action];
  const owned = current.owner !== null && current.owner !== me ? `, and ${current.owner} owns it (assign changes the owner, on purpose)` : '';
  if (current.state === 'closed' && action !== 'reopen') {
    return `${words} is not offered now: it is closed (${choiceWords(current.disposition).toLowerCase()}); reopen it first if it still needs work.`;
  }
  if (takeIt) {
    // "Take it" is offered wherever nobody owns it (acknowledge when new, assign to me otherwise).
    if (current.owner === null) return null;
    if (current.owner === me) return 'Take it is not needed now: you own it already.';
    return current.state === 'new' ? `Take it is not offered now: ${current.owner} owns it (assign changes the owner, on purpose).` : `Take it is not offered now: it is ${stateWords(current.state).toLowerCase()} already${owned}.`;
  }
  if (action === 'reopen' && current.state !== 'closed') return `Reopen is not offered now: it is open (${stateWords(current.state).toLowerCase()}).`;
  if (action === 'unsnooze' && current.state !== 'snoozed') return `End snooze is not offered now: it is not snoozed (${stateWords(current.state).toLowerCase()}).`;
  if (action === 'acknowledge' && current.state !== 'new') return `${words} is not offered now: it is ${stateWords(current.state).toLowerCase()} already${owned}.`;
  return null;
}
