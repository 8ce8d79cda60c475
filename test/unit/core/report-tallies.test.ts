/**
 * The tallies a follow-up and a transaction add to reports (CONTRACT §11;
 * functions/core/report-tallies.ts).
 */
import { describe, expect, it } from 'vitest';
import { followUpTallies, transactionTallies } from '../../../functions/core/report-tallies';

describe('tallies', () => {
  const open = { state: 'acknowledged', opened_at: '2026-11-02T09:00:00.000000Z', acknowledged_at: '2026-11-02T15:00:00.000000Z', closed_at: null, disposition: null };

  it('counts an open follow-up as opened only, a closed one also as closed with its durations', () => {
    expect(followUpTallies(open, null)).toEqual([{ kind: 'opened', at: open.opened_at }]);
    const closed = { ...open, state: 'closed', closed_at: '2026-11-04T09:00:00.000000Z', disposition: 'patient_unreachable' };
    expect(followUpTallies(closed, '2026-11-02T10:30:00.000000Z')).toEqual([
      { kind: 'opened', at: open.opened_at },
      { kind: 'closed', at: closed.closed_at, disposition: 'patient_unreachable', hours: { redraw_order: 1.5, acknowledge: 6, close: 48 } },
    ]);
  });

  it('counts every transaction that ended (completed or cancelled, any method) once, with its lab, method and how it ended; not an active one', () => {
    const base = { status: 'completed', updated_at: '2026-11-05T09:00:00.000000Z', collection_method: 'walk_in_test', had_redraw: false };
    const ended = { kind: 'ended', at: base.updated_at, with_redraw: false, completed: true, walk_in: true, lab: null, method: 'walk_in_test', missing: null, redraw_results_hours: null };
    expect(transactionTallies(base)).toEqual([ended]);
    // A redraw exists only for walk-in orders: one with a redraw is walk-in whatever its stored method.
    expect(transactionTallies({ ...base, collection_method: null, had_redraw: true })).toEqual([{ ...ended, with_redraw: true, method: null }]);
    expect(transactionTallies({ ...base, status: 'active' })).toEqual([]);
    expect(transactionTallies({ ...base, status: 'cancelled' })).toEqual([{ ...ended, completed: false }]);
    expect(transactionTallies({ ...base, collection_method: 'testkit', lab: 'quest', missing: 'no_redraw' })).toEqual([{ ...ended, walk_in: false, method: 'testkit', lab: 'quest', missing: 'no_redraw' }]);
  });

  it("counts a follow-up's causing failure types where its transaction ended, once it has both", () => {
    const closed = { ...open, state: 'closed', closed_at: '2026-11-04T09:00:00.000000Z', disposition: 'patient_unreachable' };
    const end = { at: '2026-11-04T08:00:00.000000Z', lab: 'quest', method: 'walk_in_test' };
    expect(followUpTallies(closed, null, { ended: end, failure_types: { internal_lab_failure: 2 } }).at(-1)).toEqual({ kind: 'failures', ...end, failure_types: { internal_lab_failure: 2 } });
    expect(followUpTallies(closed, null, { ended: null, failure_types: { internal_lab_failure: 2 } }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
    expect(followUpTallies(closed, null, { ended: end, failure_types: null }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
    expect(followUpTallies(closed, null, { ended: end, failure_types: {} }).map((tally) => tally.kind)).toEqual(['opened', 'closed']);
  });
});
