/**
 * The situation of a transaction's follow-up (CONTRACT §9; functions/core/follow-up/situation.ts):
 * whether it had a redraw, what opens one, which facts hold and what is missing.
 */
import { describe, expect, it } from 'vitest';
import { followUpSituation } from '../../../../functions/core/follow-up/situation';

describe('the redraw situation of a transaction', () => {
  const initial = (status: string, at = '2026-03-01T10:00:00.000000Z') => ({ id: 'ord-1', origin: 'initial', low_level_status: status, status_time: at, created_at: '2026-02-20T10:00:00.000000Z' });
  const redraw = (status: string, at = '2026-03-03T10:00:00.000000Z') => ({ id: 'ord-2', origin: 'redraw', low_level_status: status, status_time: at, created_at: '2026-03-02T10:00:00.000000Z' });

  it('has no redraw until an initial order is in redraw_available or a redraw order is known', () => {
    expect(followUpSituation([initial('sample_with_lab')], 'active')).toMatchObject({ hasRedraw: false, redraw: null, facts: [] });
  });

  it('awaits the redraw from the initial order’s status time, then follows the redraw order', () => {
    expect(followUpSituation([initial('redraw_available')], 'active')).toEqual({
      hasRedraw: true,
      opens: true,
      mayHaveFollowUp: true,
      initialOrderId: 'ord-1',
      redrawOrderId: null,
      redrawOrderedAt: null,
      openedAt: '2026-03-01T10:00:00.000000Z',
      latestStatusTime: '2026-03-01T10:00:00.000000Z',
      redraw: { kind: 'awaiting_redraw', statusTime: '2026-03-01T10:00:00.000000Z', orderId: 'ord-1' },
      facts: [],
      missing: { order_id: 'ord-1', status: 'redraw_available', status_detail: null },
    });
    expect(followUpSituation([initial('redraw_available'), redraw('ordered')], 'active')).toMatchObject({
      initialOrderId: 'ord-1',
      redrawOrderId: 'ord-2',
      // Reports' time to a redraw order (CONTRACT §11): when Junction created it.
      redrawOrderedAt: '2026-03-02T10:00:00.000000Z',
      openedAt: '2026-03-01T10:00:00.000000Z',
      redraw: { kind: 'redraw_in_progress', statusTime: '2026-03-03T10:00:00.000000Z', orderId: 'ord-2' },
    });
    // The redraw order alone (its initial not stored yet) opens it at its creation.
    expect(followUpSituation([redraw('ordered')], 'active')).toMatchObject({ initialOrderId: null, openedAt: '2026-03-02T10:00:00.000000Z' });
  });

  it('says which fact holds once the redraw order ends or the transaction is cancelled', () => {
    const at = '2026-03-03T10:00:00.000000Z';
    expect(followUpSituation([initial('redraw_available'), redraw('completed')], 'completed')).toMatchObject({ redraw: null, facts: [{ fact: 'redraw_completed', at }] });
    expect(followUpSituation([initial('redraw_available'), redraw('corrected')], 'completed').facts).toEqual([{ fact: 'redraw_completed', at }]);
    expect(followUpSituation([initial('redraw_available'), redraw('sample_error')], 'completed').facts).toEqual([{ fact: 'redraw_failed', at }]);
    // A cancelled transaction is closed as such: its cancelled redraw needs nobody's decision.
    expect(followUpSituation([initial('cancelled', '2026-03-04T10:00:00.000000Z'), redraw('cancelled')], 'cancelled').facts).toEqual([
      { fact: 'transaction_cancelled', at: '2026-03-04T10:00:00.000000Z' },
    ]);
    // A cancelled redraw order alone says nothing of its transaction: its initial order may wait for it.
    expect(followUpSituation([redraw('cancelled')], 'cancelled').facts).toEqual([{ fact: 'redraw_failed', at }]);
  });

  it('knows an initial order that left redraw_available without a redraw order: results received, failed, or cancelled', () => {
    const was = (status: string, at: string) => ({ ...initial(status, at), redraw_available_at: '2026-03-01T10:00:00.000000Z' });
    const later = '2026-03-05T10:00:00.000000Z';
    expect(followUpSituation([was('completed', later)], 'completed')).toMatchObject({ hasRedraw: true, initialOrderId: 'ord-1', openedAt: '2026-03-01T10:00:00.000000Z', redraw: null, facts: [{ fact: 'results_received', at: later }] });
    expect(followUpSituation([was('sample_error', later)], 'completed').facts).toEqual([{ fact: 'redraw_failed', at: later }]);
    expect(followUpSituation([was('cancelled', later)], 'cancelled').facts).toEqual([{ fact: 'transaction_cancelled', at: later }]);
    // In progress again (reinstated): it had a redraw, no fact holds.
    expect(followUpSituation([was('sample_with_lab', later)], 'active')).toMatchObject({ hasRedraw: true, facts: [], redraw: null });
    // A redraw order's own history says nothing: it never goes to redraw_available.
    expect(followUpSituation([{ ...redraw('completed'), redraw_available_at: '2026-03-01T10:00:00.000000Z' }], 'completed').initialOrderId).toBeNull();
  });
});

describe('every result still missing (CONTRACT §9, issue 46)', () => {
  const initial = (status: string, extra: Record<string, unknown> = {}, at = '2026-03-01T10:00:00.000000Z') => ({
    id: 'ord-1',
    origin: 'initial',
    low_level_status: status,
    status_time: at,
    created_at: '2026-02-20T10:00:00.000000Z',
    ...extra,
  });
  const redraw = (status: string, extra: Record<string, unknown> = {}, at = '2026-03-05T10:00:00.000000Z') => ({
    id: 'ord-2',
    origin: 'redraw',
    low_level_status: status,
    status_time: at,
    created_at: '2026-03-02T10:00:00.000000Z',
    ...extra,
  });
  const wasAvailable = { redraw_available_at: '2026-03-01T10:00:00.000000Z' };

  it('keeps an incomplete redraw open with results_still_missing, about the redraw order', () => {
    const situation = followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: true })], 'completed');
    expect(situation.facts).toEqual([{ fact: 'results_still_missing', at: '2026-03-05T10:00:00.000000Z' }]);
    expect(situation.missing).toEqual({ order_id: 'ord-2', status: 'completed', status_detail: null });
    // Its corrected copy with every result closes it as a completed redraw.
    const corrected = followUpSituation([initial('redraw_available'), redraw('corrected', { has_missing_results: false, missing_results_at: '2026-03-05T10:00:00.000000Z' })], 'completed');
    expect(corrected).toMatchObject({ facts: [{ fact: 'redraw_completed' }], missing: null });
    // Not known (a listing carries no has_missing_results): complete until its own copy says otherwise.
    expect(followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: null })], 'completed').facts).toMatchObject([{ fact: 'redraw_completed' }]);
  });

  it('opens no_redraw for a transaction that ended with results missing and never had a redraw', () => {
    const kit = (status: string, extra: Record<string, unknown> = {}) => ({ ...initial(status, extra), origin: null });
    for (const [member, detail] of [
      [kit('sample_error', { status_detail: 'sample_hemolyzed' }), 'sample_hemolyzed'],
      [kit('lost'), null],
      [kit('failure_to_deliver_to_customer'), null],
      [initial('completed', { has_missing_results: true }), null],
    ] as const) {
      const situation = followUpSituation([member], 'completed');
      expect(situation, member.low_level_status).toMatchObject({ hasRedraw: false, opens: true, mayHaveFollowUp: true, redraw: null, openedAt: member.status_time, initialOrderId: 'ord-1' });
      expect(situation.facts).toEqual([{ fact: 'no_redraw', at: member.status_time }]);
      expect(situation.missing).toEqual({ order_id: 'ord-1', status: member.low_level_status, status_detail: detail });
    }
    // Completed with every result, or with has_missing_results unknown: nothing to follow up, nothing read.
    for (const complete of [initial('completed', { has_missing_results: false }), initial('completed'), initial('corrected', { has_missing_results: null })]) {
      expect(followUpSituation([complete], 'completed')).toMatchObject({ opens: false, mayHaveFollowUp: false });
    }
    // Still in progress: nothing ended yet.
    expect(followUpSituation([initial('sample_with_lab')], 'active')).toMatchObject({ opens: false, mayHaveFollowUp: false });
  });

  it('with FOLLOW_UP_MISSING_RESULTS=off opens no no_redraw follow-up, but keeps one that is stored and every redraw', () => {
    const off = { missingResults: false };
    const failedKit = followUpSituation([{ ...initial('sample_error'), origin: null }], 'completed', off);
    expect(failedKit).toMatchObject({ opens: false, mayHaveFollowUp: true, facts: [{ fact: 'no_redraw' }] });
    const incomplete = followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: true })], 'completed', off);
    expect(incomplete).toMatchObject({ opens: true, facts: [{ fact: 'results_still_missing' }] });
  });

  it('remembers an order that ended without all its results: a later fact with all of them closes it as received', () => {
    const corrected = initial('corrected', { has_missing_results: false, missing_results_at: '2026-03-01T10:00:00.000000Z' }, '2026-03-08T10:00:00.000000Z');
    const situation = followUpSituation([corrected], 'completed');
    expect(situation).toMatchObject({ opens: true, mayHaveFollowUp: true, openedAt: '2026-03-01T10:00:00.000000Z', missing: null });
    expect(situation.facts).toEqual([{ fact: 'results_received', at: '2026-03-08T10:00:00.000000Z' }]);
  });

  it('counts a recreation order as a redraw order: active, the attention clears; ended, it decides as a redraw does', () => {
    const failed = { ...initial('lost'), origin: null };
    const recreation = (status: string, extra: Record<string, unknown> = {}) => ({ ...redraw(status, extra), origin: 'recreation' });
    const active = followUpSituation([failed, recreation('transit_customer')], 'active');
    expect(active).toMatchObject({ hasRedraw: true, opens: true, redrawOrderId: 'ord-2', facts: [], redraw: null });
    expect(followUpSituation([failed, recreation('completed')], 'completed').facts).toMatchObject([{ fact: 'redraw_completed' }]);
    expect(followUpSituation([failed, recreation('completed', { has_missing_results: true })], 'completed').facts).toMatchObject([{ fact: 'results_still_missing' }]);
    expect(followUpSituation([failed, recreation('sample_error', { status_detail: 'sample_contaminated' })], 'completed')).toMatchObject({
      facts: [{ fact: 'redraw_failed' }],
      missing: { order_id: 'ord-2', status: 'sample_error', status_detail: 'sample_contaminated' },
    });
  });

  it('keeps redraw_failed for a redraw offered and never made that ends without all its results, about the initial order', () => {
    const ended = followUpSituation([initial('completed', { ...wasAvailable, has_missing_results: true }, '2026-03-09T10:00:00.000000Z')], 'completed');
    expect(ended).toMatchObject({ hasRedraw: true, facts: [{ fact: 'redraw_failed' }], missing: { order_id: 'ord-1', status: 'completed' } });
    // The failed redraw order may have no results at all: what is missing is the initial order's.
    const failedRedraw = followUpSituation([initial('redraw_available'), redraw('sample_error')], 'completed');
    expect(failedRedraw.missing).toEqual({ order_id: 'ord-1', status: 'redraw_available', status_detail: null });
  });

  it('closes a cancelled transaction as cancelled, with nothing missing to decide', () => {
    const situation = followUpSituation([{ ...initial('cancelled'), missing_results_at: '2026-02-28T10:00:00.000000Z' }], 'cancelled');
    expect(situation).toMatchObject({ mayHaveFollowUp: true, facts: [{ fact: 'transaction_cancelled' }], missing: null });
  });
});
