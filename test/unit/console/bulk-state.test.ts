import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFTS } from '../../../console/src/lib/action-draft';
import type { RowOutcome } from '../../../console/src/lib/bulk-runner';
import { bulkCheck, bulkReducer, INITIAL_BULK, type BulkEvent, type BulkState } from '../../../console/src/lib/bulk-state';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const run = (events: BulkEvent[], from: BulkState = INITIAL_BULK) => events.reduce(bulkReducer, from);
const outcome = (id: string, result: RowOutcome['result']): RowOutcome => ({ id, result, version: 2, detail: null, attempts: 1 });
const asking: BulkEvent = { type: 'ask', confirming: { body: { action: 'close' }, ids: ['a'], question: 'Close 1 follow-up?' } };

describe('bulkReducer', () => {
  it('selects all, none or one row at a time', () => {
    const all = run([{ type: 'select', ids: new Set(['a', 'b', 'c']) }]);
    expect([...all.selected]).toEqual(['a', 'b', 'c']);
    expect([...run([{ type: 'toggle', id: 'b', on: false }], all).selected]).toEqual(['a', 'c']);
    expect([...run([{ type: 'toggle', id: 'd', on: true }], all).selected]).toEqual(['a', 'b', 'c', 'd']);
    expect(run([{ type: 'select', ids: new Set() }], all).selected.size).toBe(0);
  });

  it('drops a Close question once the selection, the action or a field changes', () => {
    for (const change of [{ type: 'toggle', id: 'b', on: true }, { type: 'action', action: 'assign' }, { type: 'draft', drafts: { close: { disposition: 'other' } } }] as BulkEvent[]) {
      expect(run([asking, change]).confirming).toBeNull();
    }
    const cancelled = run([asking, { type: 'cancel' }]);
    expect(cancelled.confirming).toBeNull();
    expect(cancelled.summary).toBe('Nothing was closed.');
  });

  it('keeps the fields of other actions when one changes', () => {
    const state = run([{ type: 'draft', drafts: { assign: { owner: 'ana' } } }, { type: 'draft', drafts: { snooze: { ...EMPTY_DRAFTS.snooze, reason: 'other' } } }]);
    expect(state.drafts).toEqual({ ...EMPTY_DRAFTS, assign: { owner: 'ana' }, snooze: { ...EMPTY_DRAFTS.snooze, reason: 'other' } });
  });

  it('shows errors until a check passes', () => {
    const invalid = run([{ type: 'invalid', errors: [{ field: 'bulk-rows', message: 'Select at least one follow-up' }] }]);
    expect(invalid.errors).toHaveLength(1);
    expect(run([asking], invalid).errors).toEqual([]);
    expect(run([{ type: 'start', count: 1 }], invalid).errors).toEqual([]);
  });

  it('follows a run: each row as it ends, then the conflicts explained, the selection cleared and the rows read again', () => {
    const selected = run([{ type: 'select', ids: new Set(['a', 'b']) }, { type: 'invalid', errors: [] }]);
    const started = run([asking, { type: 'start', count: 2 }], selected);
    expect(started).toMatchObject({ running: true, summary: 'Applying to 2 selected…', outcomes: [], conflicts: {}, confirming: null });
    const oneIn = run([{ type: 'row', outcome: outcome('b', 'conflict') }], started);
    expect(oneIn.outcomes).toEqual([outcome('b', 'conflict')]);
    const ended = run([{ type: 'row', outcome: outcome('a', 'applied') }, { type: 'ended', outcomes: [outcome('a', 'applied'), outcome('b', 'conflict')] }], oneIn);
    expect(ended.outcomes?.map((row) => row.id)).toEqual(['a', 'b']);
    expect(ended.running).toBe(true);
    const explained = run([{ type: 'explained', conflicts: { b: 'changed since you loaded it' }, summary: '1 applied, 1 conflict' }], ended);
    expect(explained).toMatchObject({ running: false, summary: '1 applied, 1 conflict', conflicts: { b: 'changed since you loaded it' }, reload: 1 });
    expect(explained.selected.size).toBe(0);
    expect(explained.outcomes).toHaveLength(2);
  });
});

describe('bulkCheck', () => {
  it('asks for a row first', () => {
    expect(bulkCheck(0, 'acknowledge', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ errors: [{ field: 'bulk-rows', message: 'Select at least one follow-up' }] });
  });

  it('names the missing fields as Bulk\'s own', () => {
    expect(bulkCheck(2, 'snooze', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ errors: [{ field: 'bulk-reason', message: 'Choose why it is snoozed' }] });
    expect(bulkCheck(2, 'close', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ errors: [{ field: 'bulk-disposition', message: 'Choose why it is closed' }] });
  });

  it('gives the body without expected_version (each row sends its own), and a Close\'s question', () => {
    expect(bulkCheck(3, 'acknowledge', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ body: { action: 'acknowledge' }, question: null });
    expect(bulkCheck(3, 'assign', { ...EMPTY_DRAFTS, assign: { owner: ' ana ' } }, NOW, 'UTC')).toEqual({ body: { action: 'assign', owner: 'ana' }, question: null });
    expect(bulkCheck(1, 'snooze', { ...EMPTY_DRAFTS, snooze: { ...EMPTY_DRAFTS.snooze, preset: '1w', reason: 'other' } }, NOW, 'UTC')).toEqual({
      body: { action: 'snooze', until: '2026-11-29T12:00:00.000Z', reason: 'other' },
      question: null,
    });
    expect(bulkCheck(2, 'close', { ...EMPTY_DRAFTS, close: { disposition: 'patient_declined' } }, NOW, 'UTC')).toEqual({
      body: { action: 'close', disposition: 'patient_declined' },
      question: 'Close 2 follow-ups with disposition “Patient declined”?',
    });
  });

  it('asks first before any other action on more than 5 follow-ups, naming it and how many (issue 72); 5 or fewer run at once', () => {
    expect(bulkCheck(6, 'acknowledge', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ body: { action: 'acknowledge' }, question: 'Acknowledge and take 6 follow-ups?' });
    expect(bulkCheck(5, 'acknowledge', EMPTY_DRAFTS, NOW, 'UTC')).toMatchObject({ question: null });
    expect(bulkCheck(15, 'assign', { ...EMPTY_DRAFTS, assign: { owner: 'ana' } }, NOW, 'UTC')).toMatchObject({ question: 'Assign 15 follow-ups to ana?' });
    expect(bulkCheck(15, 'assign', EMPTY_DRAFTS, NOW, 'UTC')).toMatchObject({ body: { action: 'assign', owner: null }, question: 'Unassign 15 follow-ups (no owner)?' });
    expect(bulkCheck(7, 'snooze', { ...EMPTY_DRAFTS, snooze: { ...EMPTY_DRAFTS.snooze, preset: '3d', reason: 'other' } }, NOW, 'UTC')).toMatchObject({ question: 'Snooze 7 follow-ups for 3 days?' });
    expect(bulkCheck(7, 'unsnooze', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ body: { action: 'unsnooze' }, question: 'End the snooze of 7 follow-ups?' });
    expect(bulkCheck(2, 'unsnooze', EMPTY_DRAFTS, NOW, 'UTC')).toEqual({ body: { action: 'unsnooze' }, question: null });
    // Cancelled, it says nothing was sent (a Close: nothing was closed).
    const asked: BulkEvent = { type: 'ask', confirming: { body: { action: 'assign', owner: 'ana' }, ids: ['a'], question: 'Assign 6 follow-ups to ana?' } };
    expect(run([asked, { type: 'cancel' }]).summary).toBe('Nothing was sent.');
  });
});
