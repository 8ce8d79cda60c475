/**
 * Sentences the worklist says about its rows (CONTRACT §12, "Working a shift"):
 * when it was last updated, what the `a` shortcut and "Take it" found on a row
 * changed behind the page, in words, never the API's raw 409 text.
 */
import { clockWords, instantParts } from './time';
import type { FollowUp } from './types';
import { stateWords } from './words';
import { shortId } from './row-view';

/** "Updated 09:05 EST (14:05 UTC)": the clock of timeWords (not the date: an update is of today), in `zone` (the browser's by default). */
export function updatedWords(at: Date, zone?: string): string {
  return `Updated ${clockWords(instantParts(at.toISOString(), zone)!)}`;
}

/**
 * Why `a` (acknowledge and take it) sends nothing for this row, or null when it
 * may: it is not new any more (acknowledged, snoozed or closed), in words, with
 * its owner and what to do instead.
 */
export function acknowledgeRefusal(row: Pick<FollowUp, 'id' | 'state' | 'owner'>): string | null {
  if (row.state === 'new') return null;
  const short = shortId(row.id);
  const state = stateWords(row.state).toLowerCase();
  if (row.state === 'closed') return `${short} is closed: nothing to acknowledge.`;
  if (row.owner === null) return `${short} is ${state} already and has no owner: use its "Take it" button to take it.`;
  return `${short} is ${state} already; ${row.owner} owns it. Nothing was sent.`;
}

/**
 * A row changed since the page loaded it (a 409 conflict): "3f2a9c1b… changed
 * since you loaded it: j.doe acknowledged it and took it (version 2). The row is
 * refreshed." `changes`: conflict.ts changesSince, oldest first.
 */
export function changedBehindWords(id: string, changes: readonly string[]): string {
  const what = changes.length === 0 ? 'someone changed it' : changes.join('; ');
  return `${shortId(id)} changed since you loaded it: ${what}. The row is refreshed.`;
}

/** What taking a row did, in words: "Took 3f2a9c1b…: owner ana.lopez." / "Acknowledged 3f2a9c1b…, owner ana.lopez." */
export function tookWords(after: Pick<FollowUp, 'id' | 'owner'>, verb: 'Acknowledged' | 'Took'): string {
  const owner = after.owner ? `owner ${after.owner}` : 'no owner';
  return verb === 'Took' ? `Took ${shortId(after.id)}: ${owner}.` : `Acknowledged ${shortId(after.id)}, ${owner}.`;
}
