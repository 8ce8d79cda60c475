/**
 * The tracker's own changes (CONTRACT §9; functions/core/follow-up/tracker-update.ts):
 * each fact once per episode, closing or setting an attention, undone when
 * its episode ends; what is missing and why, kept current.
 */
import { describe, expect, it } from 'vitest';
import type { FollowUpSituation, RedrawFact } from '../../../../functions/core/follow-up/situation';
import { openFollowUp } from '../../../../functions/core/follow-up/states';
import { trackerUpdate } from '../../../../functions/core/follow-up/tracker-update';
import { act, changed, NOW, opened } from './support';

describe('the tracker’s own changes', () => {
  const situation = (facts: { fact: RedrawFact; at: string }[], extra: Partial<FollowUpSituation> = {}) => ({
    facts,
    initialOrderId: 'ord-1',
    redrawOrderId: null,
    redrawOrderedAt: null,
    openedAt: '2026-03-09T08:00:00.000000Z',
    latestStatusTime: '2026-03-10T08:00:00.000000Z',
    ...extra,
  });
  const at = '2026-03-10T08:00:00.000000Z';

  it('closes an open follow-up redraw_completed, cancelled or results_received, as actor tracker, dated when recorded with the fact’s time', () => {
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_completed', at }]), NOW)).toMatchObject({
      followUp: { state: 'closed', disposition: 'redraw_completed', closed_at: '2026-03-10T12:00:00.000000Z', version: 2 },
      entries: [{ at: '2026-03-10T12:00:00.000000Z', fact_time: at, actor: 'tracker', action: 'close', from_state: 'new', to_state: 'closed', disposition: 'redraw_completed' }],
      applied: ['redraw_completed'],
    });
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW).followUp).toMatchObject({ state: 'closed', disposition: 'cancelled' });
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'results_received', at }]), NOW).followUp).toMatchObject({ state: 'closed', disposition: 'results_received' });
  });

  it('marks a failed redraw for attention and leaves it open; clears the attention when the fact no longer holds', () => {
    const failed = trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_failed', at }]), NOW);
    expect(failed.followUp).toMatchObject({ state: 'new', attention: 'redraw_failed', version: 2 });
    const corrected = trackerUpdate(failed.followUp, failed.last, failed.applied, situation([]), NOW);
    expect(corrected.followUp).toMatchObject({ state: 'new', attention: null, version: 3 });
    expect(corrected.entries).toMatchObject([{ action: 'attention', attention: null, actor: 'tracker' }]);
  });

  it('keeps the attention across a person’s close and reopen', () => {
    const failed = trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_failed', at }]), NOW);
    const closed = changed(act(failed.followUp, { action: 'close', disposition: 'tested_elsewhere' }));
    expect(closed.attention).toBe('redraw_failed');
    const reopened = changed(act(closed, { action: 'reopen' }));
    expect(reopened.attention).toBe('redraw_failed');
    // The fact still holds: the tracker changes nothing.
    expect(trackerUpdate(reopened, null, failed.applied, situation([{ fact: 'redraw_failed', at }]), NOW).entries).toEqual([]);
  });

  it('never overwrites a person’s close, and records nothing for a fact on it', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'tested_elsewhere' }));
    for (const fact of ['redraw_completed', 'transaction_cancelled', 'results_received'] as const) {
      const update = trackerUpdate(closed, null, [], situation([{ fact, at }]), NOW);
      expect(update.followUp).toEqual(closed);
      expect(update.entries).toEqual([]);
      expect(update.applied).toEqual([fact]);
    }
  });

  it('reopens what it closed when the fact no longer holds (a reinstated order), to acknowledged if a person had acknowledged it', () => {
    const acknowledged = changed(act(opened(), { action: 'acknowledge' }, new Date('2026-03-10T09:00:00Z')));
    const cancelled = trackerUpdate(acknowledged, null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    const reinstated = trackerUpdate(cancelled.followUp, cancelled.last, cancelled.applied, situation([]), new Date('2026-03-11T09:00:00Z'));
    expect(reinstated.followUp).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null, acknowledged_at: '2026-03-10T09:00:00.000000Z' });
    expect(reinstated.entries).toMatchObject([{ actor: 'tracker', action: 'reopen', from_state: 'closed', to_state: 'acknowledged', fact: 'transaction_cancelled' }]);
    expect(reinstated.applied).toEqual([]);
    // Never acknowledged: back to new.
    const fresh = trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    expect(trackerUpdate(fresh.followUp, fresh.last, fresh.applied, situation([]), NOW).followUp.state).toBe('new');
  });

  it('acts once per episode: a person’s reopen holds while the fact lasts, and a new episode closes again', () => {
    const cancelled = trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    const reopened = changed(act(cancelled.followUp, { action: 'reopen' }));
    const same = trackerUpdate(reopened, null, cancelled.applied, situation([{ fact: 'transaction_cancelled', at: '2026-03-10T10:00:00.000000Z' }]), NOW);
    expect(same.entries).toEqual([]);
    expect(same.followUp.state).toBe('acknowledged');
    const ended = trackerUpdate(same.followUp, null, same.applied, situation([]), NOW);
    expect(ended.entries).toEqual([]);
    const again = trackerUpdate(ended.followUp, null, ended.applied, situation([{ fact: 'transaction_cancelled', at }]), NOW);
    expect(again.followUp).toMatchObject({ state: 'closed', disposition: 'cancelled' });
  });

  it('records the redraw order once known and a snooze that ended, each a version; opened_at and the initial order are not versions', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-11T09:00:00Z', reason: 'other' }));
    const update = trackerUpdate(
      snoozed,
      null,
      [],
      situation([], { redrawOrderId: 'ord-2', redrawOrderedAt: '2026-03-11T08:00:00.000000Z', openedAt: '2026-03-01T00:00:00.000000Z' }),
      new Date('2026-03-12T00:00:00Z'),
    );
    expect(update.entries).toMatchObject([
      { action: 'snooze_ended', actor: 'tracker', from_state: 'snoozed', to_state: 'acknowledged', fact_time: '2026-03-11T09:00:00.000000Z' },
      { action: 'redraw_order_known', actor: 'tracker', redraw_order_id: 'ord-2', fact_time: '2026-03-11T08:00:00.000000Z' },
    ]);
    expect(update.followUp).toMatchObject({ state: 'acknowledged', redraw_order_id: 'ord-2', opened_at: '2026-03-01T00:00:00.000000Z', version: snoozed.version + 2 });
  });
});

describe('the tracker keeps what is missing and why', () => {
  const base = openFollowUp({ id: 't', transactionId: 't', initialOrderId: 'o1', redrawOrderId: null, openedAt: '2026-03-01T10:00:00.000000Z' });
  const now = new Date('2026-03-10T10:00:00Z');
  const situation = (fact: RedrawFact | null, missing: { order_id: string; status: string; status_detail: string | null } | null) => ({
    facts: fact === null ? [] : [{ fact, at: '2026-03-09T10:00:00.000000Z' }],
    initialOrderId: 'o1',
    redrawOrderId: null,
    redrawOrderedAt: null,
    openedAt: null,
    latestStatusTime: '2026-03-09T10:00:00.000000Z',
    missing,
  });

  it('sets each attention once per episode, and clears it (a version each) when its episode ends', () => {
    const first = trackerUpdate(base, null, [], situation('no_redraw', { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed' }), now);
    expect(first.followUp).toMatchObject({ attention: 'no_redraw', version: 2, missing: { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed', markers: null, failure_types: null } });
    expect(first.entries).toMatchObject([{ action: 'attention', attention: 'no_redraw', fact: 'no_redraw', actor: 'tracker' }]);
    const again = trackerUpdate(first.followUp, first.last, first.applied, situation('no_redraw', { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed' }), now);
    expect(again.entries).toEqual([]);
    // The results came after all: the attention clears, and it closes as received by the tracker.
    const received = trackerUpdate(first.followUp, first.last, first.applied, situation('results_received', null), now);
    expect(received.entries.map((entry) => [entry.action, entry.action === 'attention' ? entry['attention'] : entry['disposition']])).toEqual([
      ['attention', null],
      ['close', 'results_received'],
    ]);
    expect(received.followUp).toMatchObject({ state: 'closed', disposition: 'results_received', closed_by: 'tracker', attention: null, missing: null });
  });

  it('keeps the counts read for the same order, and forgets them when it is about another order (not a version)', () => {
    const counted = { ...base, missing: { order_id: 'o1', status: 'redraw_available', status_detail: null, markers: 2, failure_types: { quantity_not_sufficient_failure: 2 } } };
    const same = trackerUpdate(counted, null, [], situation(null, { order_id: 'o1', status: 'redraw_available', status_detail: null }), now);
    expect(same.followUp.missing).toEqual(counted.missing);
    expect(same.entries).toEqual([]);
    const other = trackerUpdate(counted, null, [], situation('results_still_missing', { order_id: 'o2', status: 'completed', status_detail: null }), now);
    expect(other.followUp.missing).toEqual({ order_id: 'o2', status: 'completed', status_detail: null, markers: null, failure_types: null });
  });

  it('forgets the counts when the same order’s status or status detail changes: they are read again for the new state (CONTRACT §9)', () => {
    const counted = { ...base, missing: { order_id: 'o1', status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 3 } } };
    for (const now2 of [{ order_id: 'o1', status: 'corrected', status_detail: null }, { order_id: 'o1', status: 'completed', status_detail: 'partial_results' }]) {
      const moved = trackerUpdate(counted, null, [], situation(null, now2), now);
      expect(moved.followUp.missing).toEqual({ ...now2, markers: null, failure_types: null });
    }
  });

  it('reopens a redraw it closed as completed when the redraw order’s own copy says results are still missing (a listing said nothing)', () => {
    const closed = trackerUpdate(base, null, [], situation('redraw_completed', null), now);
    expect(closed.followUp).toMatchObject({ state: 'closed', disposition: 'redraw_completed' });
    const own = trackerUpdate(closed.followUp, closed.last, closed.applied, situation('results_still_missing', { order_id: 'o2', status: 'completed', status_detail: null }), now);
    expect(own.entries.map((entry) => entry.action)).toEqual(['reopen', 'attention']);
    expect(own.followUp).toMatchObject({ state: 'new', disposition: null, closed_by: null, attention: 'results_still_missing', missing: { order_id: 'o2' } });
    expect(own.applied).toEqual(['results_still_missing']);
  });

  it('names who closed it: the tracker, or the person; a reopen clears it', () => {
    const closed = trackerUpdate(base, null, [], situation('redraw_completed', null), now);
    expect(closed.followUp.closed_by).toBe('tracker');
    const byPerson = changed(act(base, { action: 'close', disposition: 'patient_declined' }));
    expect(byPerson.closed_by).toBe('arn:aws:iam::1:user/j.doe');
    expect(changed(act(byPerson, { action: 'reopen' })).closed_by).toBeNull();
  });
});
