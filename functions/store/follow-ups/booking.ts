/**
 * A booking's writes on the follow-up item (CONTRACT §14). The claim and the
 * other bookkeeping are one conditional PutItem without a version (like a due
 * time); Junction's answer, a recorded booking and a cancel are a person's
 * version (one transaction with its history entry). Both are conditional on the
 * revision read: a lost race is a result. `settleBooking` writes a fact whatever
 * races it: it reads again and applies again, and never calls anyone.
 */
import type { BookingChange } from '../../core/booking/apply';
import type { StaleThresholds } from '../../core/staleness';
import type { TableClient } from '../table-client';
import { afterPersonAction } from './actions';
import type { StoredFollowUp } from './item';
import { getFollowUp } from './reads';
import { MAX_RACES, writeBookkeeping, writeStoredFollowUp } from './write';

/** `change` (computed from `stored`) written over it: the follow-up as written, or `lost` when another write got there first. */
export async function writeBookingChange(
  db: TableClient,
  tableName: string,
  stored: StoredFollowUp,
  change: Exclude<BookingChange, { kind: 'unchanged' }>,
  thresholds: StaleThresholds,
  now: Date,
): Promise<StoredFollowUp | 'lost'> {
  if (change.kind === 'bookkeeping') {
    const next = { ...stored, followUp: change.followUp };
    return (await writeBookkeeping(db, tableName, stored, next, { knownFrom: null, now })) === 'written' ? { ...next, revision: stored.revision + 1 } : 'lost';
  }
  const next = afterPersonAction(stored, change.followUp, change.last, thresholds);
  return (await writeStoredFollowUp(db, tableName, stored, next, change.entries, now)) === 'written' ? { ...next, revision: stored.revision + 1 } : 'lost';
}

export type Settled = { kind: 'not_found' } | { kind: 'settled'; stored: StoredFollowUp; changed: boolean };

/**
 * A fact (Junction's answer, or what a read found) written onto follow-up `id`:
 * `apply` computes the change from what is stored now, again after every lost
 * race, so the fact lands on whatever won the race. Nothing here calls Junction.
 */
export async function settleBooking(
  db: TableClient,
  tableName: string,
  id: string,
  apply: (stored: StoredFollowUp) => BookingChange,
  thresholds: StaleThresholds,
  now: Date,
): Promise<Settled> {
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, id, now);
    if (stored === null) return { kind: 'not_found' };
    const change = apply(stored);
    if (change.kind === 'unchanged') return { kind: 'settled', stored, changed: false };
    const written = await writeBookingChange(db, tableName, stored, change, thresholds, now);
    if (written !== 'lost') return { kind: 'settled', stored: written, changed: true };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while a booking was written`);
}
