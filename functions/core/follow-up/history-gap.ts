/**
 * Whether a follow-up's history has a hole at its newest version (issue 82), as
 * the sweep sees it: the follow-up item against the history item of its own
 * version. Pure: the sweep reads both (stale-redraw-sweep/steps/history-gaps.ts).
 */
import type { LastEntry } from './history';

/**
 * How long after its newest entry a follow-up's history is compared: the tracker
 * writes a version's history item just after its item, and the transaction
 * function writes any it left within seconds; a gap younger than this is theirs
 * to close, not the sweep's to count.
 */
export const HISTORY_SETTLE_MS = 15 * 60_000;

/** Whether the sweep compares the history of a follow-up whose newest entry is `last`, at `now`: once it settled. */
export function historyDue(last: LastEntry | null | undefined, now: Date): boolean {
  if (last == null) return false;
  const at = Date.parse(last.at);
  return Number.isFinite(at) && now.getTime() - at >= HISTORY_SETTLE_MS;
}

/**
 * What the history item at the follow-up's own version (`found`: undefined when
 * there is none, or only an expired one) says: `none`, it is the item's newest
 * entry; else a gap, `repair` when the item carries that version's entry
 * (`carries`: StoredFollowUp.pending reaches its version), `unrepairable` when not.
 */
export function historyGapOf(last: LastEntry, found: { at?: unknown; action?: unknown } | undefined, carries: boolean): 'none' | 'repair' | 'unrepairable' {
  if (found !== undefined && found.at === last.at && found.action === last.action) return 'none';
  return carries ? 'repair' : 'unrepairable';
}
