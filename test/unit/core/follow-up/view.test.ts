/**
 * A follow-up as the API answers it (CONTRACT §9; functions/core/follow-up/view.ts):
 * its state as of now, and its due time, stale flag and waiting_since only while open.
 */
import { describe, expect, it } from 'vitest';
import { toFollowUpView } from '../../../../functions/core/follow-up/view';
import { act, changed, NOW, opened } from './support';

const STALE = { since: '2026-03-10T08:00:00.000000Z', reason: 'no_progress' as const };

describe('a follow-up as answered', () => {
  it('is its state as of now, with its due time, its order’s stale flag and since when that order has not moved', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-11T09:00:00Z', reason: 'other' }));
    const view = toFollowUpView(snoozed, '2026-03-12T08:00:00.000000Z', STALE, new Date('2026-03-11T10:00:00Z'), '2026-03-09T08:00:00.000000Z');
    expect(view).toMatchObject({ state: 'acknowledged', snoozed_until: null, snooze_reason: null, due_at: '2026-03-12T08:00:00.000000Z', stale: STALE, waiting_since: '2026-03-09T08:00:00.000000Z' });
    expect(toFollowUpView(opened(), null, null, NOW)).toMatchObject({ state: 'new', due_at: null, stale: null, waiting_since: null });
  });

  it('has no due time, stale flag or waiting_since once closed', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'other' }));
    expect(toFollowUpView(closed, '2026-03-12T08:00:00.000000Z', STALE, NOW, '2026-03-09T08:00:00.000000Z')).toMatchObject({ state: 'closed', due_at: null, stale: null, waiting_since: null });
  });

  it('lists the contract’s fields in the contract’s order, whatever order the stored follow-up came in', () => {
    const stored = Object.fromEntries(Object.entries(opened()).reverse()) as ReturnType<typeof opened>;
    expect(Object.keys(toFollowUpView(stored, null, null, NOW))).toEqual([
      'id',
      'transaction_id',
      'initial_order_id',
      'redraw_order_id',
      'state',
      'owner',
      'snoozed_until',
      'snooze_reason',
      'contact_attempts',
      'last_contact',
      'attention',
      'missing',
      'disposition',
      'closed_by',
      'reference',
      'opened_at',
      'acknowledged_at',
      'closed_at',
      'booking',
      'due_at',
      'stale',
      'waiting_since',
      'version',
    ]);
  });
});
