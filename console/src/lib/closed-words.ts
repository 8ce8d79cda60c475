/**
 * How a closed follow-up was closed, by whom and when, in words (issue 84
 * friction 89): the lead of its first screen ("Closed as Tested elsewhere by Ann
 * Lee (Practitioner/123) in the EHR, 2026-11-27 20:47 EST (...), brought here
 * 20:50") and its Facts' "Closed" line say the same, from the history entry that
 * closed it (its actor, the name kept beside it, the EHR's own time), else from
 * the follow-up's `closed_by` and `closed_at`.
 */
import { choiceWords } from './actions';
import { entryTimeWords } from './ehr-time';
import { entryPersonWords, personWords } from './people';
import { browserZone, timeWords } from './time';
import type { Action, FollowUp } from './types';

/** The entry that closed it: the newest into `closed` from another state, the one at `closed_at` when there is one. */
export function closingEntry(followUp: Pick<FollowUp, 'closed_at'>, history: readonly Action[]): Action | null {
  const closes = history.filter((entry) => entry.to_state === 'closed' && entry.from_state !== 'closed');
  const closedAt = followUp.closed_at ? Date.parse(followUp.closed_at) : NaN;
  return [...closes].reverse().find((entry) => Date.parse(entry.at) === closedAt) ?? closes.at(-1) ?? null;
}

/** Who closed it ("Ann Lee (Practitioner/123) in the EHR", "kim.w", "the tracker (from Junction’s facts)"), and when; null parts when not known. */
export function closedBy(followUp: Pick<FollowUp, 'closed_at' | 'closed_by'>, history: readonly Action[], zone: string = browserZone()): { who: string | null; when: string | null } {
  const entry = closingEntry(followUp, history);
  const actor = entry?.actor ?? followUp.closed_by ?? null;
  const who = actor === null ? null : actor === 'tracker' ? 'the tracker (from Junction’s facts)' : entry ? entryPersonWords(entry) : personWords(actor);
  const when = entry ? entryTimeWords(entry, zone) : followUp.closed_at ? timeWords(followUp.closed_at, zone) : null;
  return { who, when };
}

/** The first screen's lead of a closed follow-up: how (its disposition in words), by whom and when, on one line. */
export function closedLead(followUp: Pick<FollowUp, 'closed_at' | 'closed_by' | 'disposition'>, history: readonly Action[], zone: string = browserZone()): string {
  const { who, when } = closedBy(followUp, history, zone);
  const how = followUp.disposition ? choiceWords(followUp.disposition) : null;
  return `Closed${how ? ` as ${how}` : ''}${who ? ` by ${who}` : ''}${when ? `, ${when}` : ''}`;
}
