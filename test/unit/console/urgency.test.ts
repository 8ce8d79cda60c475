import { describe, expect, it } from 'vitest';
import { dueWords, spanWords, timeWords, urgencyOf } from '../../../console/src/lib/urgency';
import { closeChoices } from '../../../console/src/lib/words';
import { aFollowUp } from './follow-up-fixture';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const HOUR = 3_600_000;

const followUp = aFollowUp;

describe('urgencyOf', () => {
  it('puts a failed redraw first, in words that say what to do', () => {
    const urgency = urgencyOf(followUp({ attention: 'redraw_failed', stale: { since: '2026-11-20T00:00:00Z', reason: 'no_progress' }, due_at: '2026-11-01T00:00:00Z' }), NOW);
    expect(urgency).toEqual({ band: 'attention', words: 'Redraw failed: decide what happens next' });
  });

  it('puts every attention first, each in words that say what to do (issue 46)', () => {
    const stale = { since: '2026-11-20T00:00:00Z', reason: 'no_progress' };
    expect(urgencyOf(followUp({ attention: 'results_still_missing', stale }), NOW)).toEqual({ band: 'attention', words: 'Incomplete redraw: decide what happens next' });
    expect(urgencyOf(followUp({ attention: 'no_redraw', due_at: '2026-11-01T00:00:00Z' }), NOW)).toEqual({ band: 'attention', words: 'Result missing without a redraw: decide what happens next' });
    expect(urgencyOf(followUp({ attention: 'a_later_one' }), NOW)).toEqual({ band: 'attention', words: 'A later one: decide what happens next' });
  });

  it('offers clinician_accepted_partial_results first in the close form only when every missing marker is non_failure', () => {
    const missing = (failure_types: Record<string, number> | null) => ({ order_id: 'o-1', status: 'completed', status_detail: null, markers: 2, failure_types });
    expect(Object.keys(closeChoices({ missing: missing({ non_failure: 2 }) }))).toEqual(['clinician_accepted_partial_results', 'patient_declined', 'patient_unreachable', 'tested_elsewhere', 'reordered', 'other']);
    expect(Object.keys(closeChoices({ missing: missing({ non_failure: 1, internal_lab_failure: 1 }) }))).toEqual(['patient_declined', 'patient_unreachable', 'clinician_accepted_partial_results', 'tested_elsewhere', 'reordered', 'other']);
    expect(Object.keys(closeChoices({ missing: missing(null) }))[0]).toBe('patient_declined');
    expect(Object.keys(closeChoices({}))[0]).toBe('patient_declined');
  });

  it('says since when a flagged follow-up is stuck, from waiting_since, in whole days', () => {
    const urgency = urgencyOf(followUp({ stale: { since: '2026-11-20T00:00:00Z', reason: 'no_progress' }, waiting_since: '2026-11-13T09:30:00Z', due_at: '2026-11-20T00:00:00Z' }), NOW);
    expect(urgency).toEqual({ band: 'stuck', words: 'Stuck since 2026-11-13 (9 days)' });
  });

  it('falls back to the flag time when waiting_since is unknown, and then says "flagged" (the flag\'s own time, CONTRACT §12)', () => {
    expect(urgencyOf(followUp({ stale: { since: '2026-11-21T11:00:00Z', reason: 'redraw_not_created' } }), NOW).words).toBe('Flagged 2026-11-21 (1 day)');
  });

  it('counts overdue and due-in time in the largest whole unit', () => {
    expect(urgencyOf(followUp({ due_at: new Date(NOW.getTime() - 2 * 24 * HOUR - 5 * HOUR).toISOString() }), NOW)).toEqual({ band: 'overdue', words: 'Overdue 2 days' });
    expect(urgencyOf(followUp({ due_at: new Date(NOW.getTime() + 5 * HOUR + 59 * 60_000).toISOString() }), NOW)).toEqual({ band: 'due-soon', words: 'Due in 5 hours' });
    expect(urgencyOf(followUp({ due_at: new Date(NOW.getTime() + 3 * 24 * HOUR).toISOString() }), NOW)).toEqual({ band: 'due-later', words: 'Due in 3 days' });
    expect(urgencyOf(followUp({ due_at: NOW.toISOString() }), NOW).band).toBe('overdue');
  });

  it('says until when a snoozed one sleeps, and when a closed one closed', () => {
    expect(urgencyOf(followUp({ state: 'snoozed', snoozed_until: '2026-11-25T14:00:00Z', due_at: '2026-11-27T14:00:00Z' }), NOW)).toEqual({ band: 'snoozed', words: 'Snoozed until Wed 25 Nov, 14:00 UTC, in 3 days' });
    expect(urgencyOf(followUp({ state: 'closed', closed_at: '2026-11-19T10:00:00Z' }), NOW)).toEqual({ band: 'closed', words: 'Closed 3 days ago' });
  });

  it('never reads a snoozed one as stuck while it sleeps; once its end has passed, its flag or due time again', () => {
    const stale = { since: '2026-11-20T00:00:00Z', reason: 'no_progress' };
    expect(urgencyOf(followUp({ state: 'snoozed', snoozed_until: '2026-11-22T17:00:00Z', stale, due_at: '2026-11-20T00:00:00Z' }), NOW)).toEqual({ band: 'snoozed', words: 'Snoozed until Sun 22 Nov, 17:00 UTC, in 5 hours' });
    expect(urgencyOf(followUp({ state: 'snoozed', snoozed_until: '2026-11-22T11:00:00Z', stale }), NOW)).toEqual({ band: 'stuck', words: 'Flagged 2026-11-20 (2 days)' });
    expect(urgencyOf(followUp({ state: 'snoozed', snoozed_until: '2026-11-22T11:00:00Z', due_at: '2026-11-22T11:00:00Z' }), NOW)).toEqual({ band: 'overdue', words: 'Overdue 1 hour' });
  });

  it('says how far the due time is in lower-case words, null without one', () => {
    expect(dueWords('2026-11-20T09:00:00Z', NOW)).toBe('overdue 2 days');
    expect(dueWords('2026-11-22T12:00:00Z', NOW)).toBe('overdue 1 minute');
    expect(dueWords('2026-11-22T13:30:00Z', NOW)).toBe('due in 1 hour');
    expect(dueWords(null, NOW)).toBeNull();
    expect(dueWords('not a time', NOW)).toBeNull();
  });

  it('says when there is no due time', () => {
    expect(urgencyOf(followUp({}), NOW)).toEqual({ band: 'no-due', words: 'No due time' });
  });

  it('spells spans and times plainly', () => {
    expect(spanWords(90_000)).toBe('1 minute');
    expect(spanWords(HOUR)).toBe('1 hour');
    expect(spanWords(0)).toBe('1 minute');
    expect(timeWords('2026-11-13T09:30:59.123456Z')).toBe('2026-11-13 09:30 UTC');
    expect(timeWords(null)).toBe('');
  });
});
