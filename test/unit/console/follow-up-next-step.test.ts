import { describe, expect, it } from 'vitest';
import { NEXT_STEPS } from '../../../functions/core/next-steps';
import { nextStepReason, nextStepText } from '../../../console/src/lib/follow-up-next-step';

const stale = { since: '2026-11-20T10:00:00Z', reason: 'no_progress' };

describe('the follow-up page’s "What to do next"', () => {
  it('takes the attention first, then the stale flag, then not_acknowledged while new', () => {
    expect(nextStepReason({ state: 'acknowledged', attention: 'redraw_failed', stale })).toBe('redraw_failed');
    expect(nextStepReason({ state: 'new', attention: null, stale })).toBe('no_progress');
    expect(nextStepReason({ state: 'new', attention: null, stale: null })).toBe('not_acknowledged');
  });

  it('has no box when nothing applies or it is closed', () => {
    expect(nextStepReason({ state: 'acknowledged', attention: null, stale: null })).toBeNull();
    expect(nextStepReason({ state: 'closed', attention: 'redraw_failed', stale: null })).toBeNull();
    expect(nextStepText({ state: 'snoozed', attention: null, stale: null })).toBeNull();
  });

  it('gives the very text the alerts carry', () => {
    expect(nextStepText({ state: 'acknowledged', attention: 'no_redraw', stale: null })).toBe(NEXT_STEPS.no_redraw);
    expect(nextStepText({ state: 'new', attention: null, stale: null })).toBe(NEXT_STEPS.not_acknowledged);
  });
});
