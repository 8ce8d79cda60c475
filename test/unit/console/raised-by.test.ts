import { describe, expect, it } from 'vitest';
import { endedWords, raisingOrder, roleWords } from '../../../console/src/lib/raised-by';
import { aFollowUp } from './follow-up-fixture';

const onInitial = { order_id: 'o-1', status: 'redraw_available', status_detail: null, markers: 2, failure_types: null };

describe('raisingOrder (issue 72 item 1)', () => {
  it('names the redraw order of a failed redraw, while `missing` stays on the initial order', () => {
    expect(raisingOrder(aFollowUp({ attention: 'redraw_failed', redraw_order_id: 'r-1', missing: onInitial }))).toEqual({ id: 'r-1', role: 'redraw' });
  });

  it('names the redraw order of an incomplete redraw', () => {
    const missing = { ...onInitial, order_id: 'r-1', status: 'completed' };
    expect(raisingOrder(aFollowUp({ attention: 'results_still_missing', redraw_order_id: 'r-1', missing }))).toEqual({ id: 'r-1', role: 'redraw' });
  });

  it('names the order `missing` names when no redraw order raised it: a kit that failed, a redraw never ordered', () => {
    const kit = { ...onInitial, status: 'sample_error' };
    expect(raisingOrder(aFollowUp({ attention: 'no_redraw', missing: kit }))).toEqual({ id: 'o-1', role: 'initial' });
    expect(raisingOrder(aFollowUp({ attention: 'redraw_failed', redraw_order_id: null, missing: { ...kit, order_id: 'o-9' } }))).toEqual({ id: 'o-9', role: 'order' });
  });

  it('names none without an attention, or without an order to name', () => {
    expect(raisingOrder(aFollowUp({ attention: null, redraw_order_id: 'r-1', missing: onInitial }))).toBeNull();
    expect(raisingOrder(aFollowUp({ attention: 'no_redraw', missing: null }))).toBeNull();
  });
});

describe('endedWords', () => {
  it('says how it ended in words with the codes beside, the lab’s detail too', () => {
    expect(endedWords('r-1', { low_level_status: 'sample_error', status_detail: 'sample_hemolyzed', has_missing_results: null }, onInitial)).toEqual({
      status: 'a sample error (the lab could not test the sample)',
      code: 'sample_error',
      detail: { words: 'the sample was hemolyzed', code: 'sample_hemolyzed' },
    });
    expect(endedWords('r-1', { low_level_status: 'completed', status_detail: null, has_missing_results: true }, null)).toEqual({ status: 'ended without all its results', code: 'completed', detail: null });
    expect(roleWords('redraw')).toBe('the redraw order');
    expect(roleWords('order')).toBe('the order');
  });
});
