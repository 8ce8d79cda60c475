/**
 * The follow-up as keeping it current will leave it (store/follow-ups/tracker.ts
 * prospectiveFollowUp, issue 57): what retention reads before the keep writes,
 * so that a transaction the tracker's close ends gets the close's expiry in one
 * write (CONTRACT §8) instead of being held, then moved by the close's record.
 */
import { describe, expect, it } from 'vitest';
import { followUpSituation } from '../../../functions/core/follow-up/situation';
import { knowledgeVersion } from '../../../functions/core/knowledge-version';
import { OPENING_FOLLOW_UP } from '../../../functions/core/retention';
import type { StoredFollowUp } from '../../../functions/store/follow-ups/item';
import { prospectiveFollowUp, trackerChangeOf } from '../../../functions/store/follow-ups/tracker';
import { retainedFollowUp } from '../../../functions/transaction-status/steps/follow-ups';
import { record } from '../../support/records';

const now = new Date('2026-03-05T12:00:00.000Z');
/** `now` as the follow-up records times (canonical, to the microsecond). */
const closedAt = '2026-03-05T12:00:00.000000Z';
const initial = record({ id: 'ord-1', low_level_status: 'redraw_available', status: 'failed', status_time: '2026-03-02T09:00:00.000000Z', rank: '0002' });
const redrawOrdered = record({ id: 'ord-2', origin: 'redraw', low_level_status: 'ordered', status: 'received', created_at: '2026-03-03T09:00:00Z', status_time: '2026-03-03T09:00:00.000000Z', rank: '0001' });
const redrawCompleted = { ...redrawOrdered, low_level_status: 'completed', status: 'completed', status_time: '2026-03-05T09:00:00.000000Z', rank: '0009' };

/** The follow-up as stored after the tracker kept it from `members` (open: the redraw in progress). */
function storedFrom(members: readonly (typeof initial)[]): StoredFollowUp {
  const situation = followUpSituation(members, 'active');
  const change = trackerChangeOf(null, { id: 'txn', transactionId: 'txn', situation, knowledge: knowledgeVersion(members), now: new Date('2026-03-03T10:00:00.000Z') });
  if (change.kind !== 'change') throw new Error('expected the follow-up to open');
  return { followUp: change.update.followUp, redraw: situation.redraw, dueAt: null, applied: change.update.applied, expiresAt: null, remindedAt: null, last: change.last, knowledge: knowledgeVersion(members), revision: 1 };
}

describe('the follow-up retention reads before the keep (issue 57)', () => {
  it('is closed now when the keep is about to close it: the expiry follows the close at once', () => {
    const stored = storedFrom([initial, redrawOrdered]);
    expect(stored.followUp.state).toBe('new');
    const members = [initial, redrawCompleted];
    const situation = followUpSituation(members, 'completed');
    const next = prospectiveFollowUp(stored, { id: 'txn', transactionId: 'txn', situation, knowledge: knowledgeVersion(members), now });
    expect(next).toMatchObject({ state: 'closed', disposition: 'redraw_completed', closed_at: closedAt });
    expect(retainedFollowUp(situation, next)).toMatchObject({ state: 'closed', closed_at: closedAt });
  });

  it('opens and closes one that none stored yet, when both happen in one keep', () => {
    const members = [initial, redrawCompleted];
    const situation = followUpSituation(members, 'completed');
    expect(prospectiveFollowUp(null, { id: 'txn', transactionId: 'txn', situation, knowledge: knowledgeVersion(members), now })).toMatchObject({ state: 'closed', closed_at: closedAt });
  });

  it('is the stored one when the keep will not touch it: knowledge older than it was kept from', () => {
    // Kept from the completed redraw already; a recompute that knows only the order in progress writes nothing.
    const stored = { ...storedFrom([initial, redrawOrdered]), knowledge: knowledgeVersion([initial, redrawCompleted]) };
    const members = [initial, redrawOrdered];
    const situation = followUpSituation(members, 'active');
    expect(prospectiveFollowUp(stored, { id: 'txn', transactionId: 'txn', situation, knowledge: knowledgeVersion(members), now })).toBe(stored.followUp);
  });

  it('is none when none is stored and none opens, and the one about to open holds the expiry off', () => {
    const plain = [record({ id: 'ord-3', low_level_status: 'completed', status: 'completed' })];
    const situation = followUpSituation(plain, 'completed');
    expect(prospectiveFollowUp(null, { id: 'txn', transactionId: 'txn', situation, knowledge: knowledgeVersion(plain), now })).toBeNull();
    const awaiting = followUpSituation([initial], 'active');
    const opening = prospectiveFollowUp(null, { id: 'txn', transactionId: 'txn', situation: awaiting, knowledge: knowledgeVersion([initial]), now });
    expect(opening).toMatchObject({ state: 'new', closed_at: null });
    expect(retainedFollowUp(awaiting, opening)).toMatchObject({ state: OPENING_FOLLOW_UP.state, closed_at: null });
  });
});
