/**
 * The counts of Junction's results API on a follow-up (CONTRACT §9 `missing`):
 * written by the sweep once a read of the order's results succeeded. Not a
 * version (no history entry, no `follow_up.changed`): the tracker's bookkeeping,
 * conditional on the revision read like every such write (write.ts
 * writeBookkeeping), so a concurrent change is never overwritten.
 */
import type { MissingResultsCounts } from '../../core/missing-results';
import type { WantedFor } from '../results-wanted';
import type { TableClient } from '../table-client';
import type { StoredFollowUp } from './item';
import { getFollowUp } from './reads';
import { writeBookkeeping } from './write';

/** Times the counts are tried again after a lost race (each loss means another write to the follow-up). */
const COUNTS_RACES = 3;

/**
 * What the counts of `orderId` change on a stored follow-up, or null for
 * nothing: `missing`'s counts while `missing` is still about that order, in the
 * state they were wanted for (`state`; null: any), and not counted yet (a later
 * order's `missing`, or a newer state of it, is another want's), and the
 * causing order's counts (kept for the report after `missing` clears) when none
 * are kept yet: the first order whose results were read for it.
 */
export function withMissingCounts(stored: StoredFollowUp, orderId: string, counts: MissingResultsCounts, state: WantedFor['state'] = null): StoredFollowUp | null {
  const { missing } = stored.followUp;
  const sameState = state === null || (missing !== null && missing.status === state.status && missing.status_detail === state.statusDetail);
  const fillMissing = missing !== null && missing.order_id === orderId && missing.markers === null && sameState;
  const fillCausing = (stored.causingResults ?? null) === null;
  if (!fillMissing && !fillCausing) return null;
  return {
    ...stored,
    followUp: fillMissing ? { ...stored.followUp, missing: { ...missing, markers: counts.markers, failure_types: { ...counts.failure_types } } } : stored.followUp,
    causingResults: fillCausing ? { order_id: orderId, markers: counts.markers, failure_types: { ...counts.failure_types } } : stored.causingResults ?? null,
  };
}

/**
 * Writes the counts of order `orderId`'s missing results on follow-up
 * `followUpId` (open or closed). `none`: no such follow-up (it expired);
 * `unchanged`: nothing to write (see withMissingCounts); `lost`: other writes
 * kept getting there first (each re-read; the caller may read Junction again later).
 */
export async function recordMissingCounts(
  db: TableClient,
  tableName: string,
  input: { followUpId: string; orderId: string; counts: MissingResultsCounts; now: Date; state?: WantedFor['state'] },
): Promise<'written' | 'unchanged' | 'none' | 'lost'> {
  for (let race = 0; race < COUNTS_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.followUpId, input.now);
    if (stored === null) return 'none';
    const next = withMissingCounts(stored, input.orderId, input.counts, input.state ?? null);
    if (next === null) return 'unchanged';
    if ((await writeBookkeeping(db, tableName, stored, next, { knownFrom: null, now: input.now })) === 'written') return 'written';
  }
  return 'lost';
}
