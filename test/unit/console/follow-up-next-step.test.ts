import { describe, expect, it } from 'vitest';
import { NEXT_STEPS } from '../../../functions/core/next-steps';
import { CONSOLE_STEPS, nextStepReason, nextStepText } from '../../../console/src/lib/follow-up-next-step';

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

  it('gives the console’s own words for the same reasons as the alerts’ text', () => {
    expect(Object.keys(CONSOLE_STEPS).sort()).toEqual(Object.keys(NEXT_STEPS).sort());
    expect(nextStepText({ state: 'acknowledged', attention: 'no_redraw', stale: null })).toBe(CONSOLE_STEPS.no_redraw);
    expect(nextStepText({ state: 'new', attention: null, stale: null })).toBe(CONSOLE_STEPS.not_acknowledged);
  });

  it('names no raw code and no alert’s delivery, where the alerts’ text does', () => {
    expect(NEXT_STEPS.results_still_missing).toContain('clinician_accepted_partial_results');
    expect(NEXT_STEPS.results_still_missing).toContain('This notice goes out once');
    for (const [reason, words] of Object.entries(CONSOLE_STEPS)) {
      expect(words, reason).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
      expect(words, reason).not.toMatch(/notice|reminder|goes out|acknowledge action/i);
    }
  });
});
